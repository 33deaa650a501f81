"""PeaRL's published JSON Schemas, generated from the domain models.

The ``*.schema.json`` files beside this module are build output of
:mod:`pearl_core.schemas.generate` (``python -m pearl_core.schemas.generate``),
committed so non-Python clients (agents, CI, other services) can validate
PeaRL payloads without importing PeaRL. A test fails when they drift from the
models. This package imports nothing so ``python -m`` runs the generator
without a double-import warning.
"""

"""The tamper-evident audit log: chain verification over stored events."""

from pearl_core.audit.chain import BreakReason, ChainReport, averify_chain, verify_chain

__all__ = ["BreakReason", "ChainReport", "averify_chain", "verify_chain"]

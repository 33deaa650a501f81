"""Orders: a tiny order service with six deliberate vulnerabilities.

Each vulnerability lives in its own module so that one fix touches one file
(see ``README.md``). The code is a PeaRL example and test fixture: never deploy
it. Only the standard library is imported.
"""

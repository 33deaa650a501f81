"""Use-cases as plain async functions over a unit of work.

Each service opens the unit of work it is given, authorises the acting
principal, changes state through repositories, records the audit event in the
same transaction, and commits. Entry points (CLI, MCP, REST) call exactly one.
"""

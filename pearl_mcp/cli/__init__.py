"""The ``pearl`` command line."""

from pearl_mcp.cli.app import main

__all__ = ["main"]

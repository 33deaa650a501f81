"""PeaRL's MCP server (tools, resources, prompt); see :mod:`pearl_mcp.mcp.server`."""

from pearl_mcp.mcp.server import INSTRUCTIONS, PearlMCPServer, build_mcp_server

__all__ = ["INSTRUCTIONS", "PearlMCPServer", "build_mcp_server"]

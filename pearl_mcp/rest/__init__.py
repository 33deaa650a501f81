"""PeaRL's REST API (``/api/v1``): see :mod:`pearl_mcp.rest.app`."""

from pearl_mcp.rest.app import API_PREFIX, PearlRestApp, build_rest_app

__all__ = ["API_PREFIX", "PearlRestApp", "build_rest_app"]

"""API keys as the HTTP server's credential: a :class:`~pearl_mcp.http_auth.PrincipalResolver`.

``Authorization: Bearer pearl_<key_id>_<secret>`` resolves to the service
account the key acts as, in the key's org, limited to the key's scopes.
The checks (format, digest, expiry, revocation, a disabled account) are
:func:`pearl_core.resolve_api_key`'s; this adapter only binds it to the
running store, clock and pepper.
"""

from __future__ import annotations

from pearl_core import ConfigurationError, Principal, resolve_api_key
from pearl_mcp.runtime import Runtime

__all__ = ["ApiKeyResolver"]


class ApiKeyResolver:
    """Resolves PeaRL API keys against the runtime's store.

    ``PEARL_API_KEY_PEPPER`` must be set: without it no key can be checked, so
    a server refuses to start (``configuration_error``) rather than refuse
    every request.
    """

    def __init__(self, runtime: Runtime) -> None:
        pepper = runtime.pearl.settings.api_key_pepper
        if pepper is None:
            raise ConfigurationError(
                "PEARL_API_KEY_PEPPER must be set to check API keys",
                setting="PEARL_API_KEY_PEPPER",
            )
        self._pepper = pepper
        self._lookup = runtime.pearl.store.credentials
        self._clock = runtime.pearl.clock

    async def resolve(self, credential: str) -> Principal | None:
        return await resolve_api_key(
            self._lookup, credential, pepper=self._pepper, clock=self._clock
        )

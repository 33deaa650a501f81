"""The server's credentials: a :class:`~pearl_mcp.http_auth.PrincipalResolver`
over :class:`pearl_core.Authenticator`.

``Authorization: Bearer <credential>`` resolves to a principal when it is a
PeaRL API key (``pearl_<key_id>_<secret>``, with ``PEARL_API_KEY_PEPPER``), an
access token this server issued at sign-in, or a token of an identity provider
in ``PEARL_OIDC_ISSUERS``. The checks are the authenticator's; this adapter
binds it to the running store and turns a refusal into "nobody" (401), keeping
the machine reason for the 401's ``error_description``.
"""

from __future__ import annotations

from pearl_core import ConfigurationError, Principal, TokenIssuer, Unauthenticated
from pearl_mcp.runtime import Runtime

__all__ = ["CredentialResolver"]


class CredentialResolver:
    """Resolves bearer credentials against the runtime's store, issuer and trusted IdPs.

    A server with no way to authenticate anyone (no ``PEARL_API_KEY_PEPPER``, no
    ``issuer``, no ``PEARL_OIDC_ISSUERS``) refuses to start (``configuration_error``)
    rather than refuse every request.
    """

    def __init__(self, runtime: Runtime, issuer: TokenIssuer | None = None) -> None:
        settings = runtime.pearl.settings
        if settings.api_key_pepper is None and issuer is None and not settings.auth.trusted_issuers:
            raise ConfigurationError(
                "nothing can authenticate requests: set PEARL_API_KEY_PEPPER for API keys, "
                "or PEARL_PUBLIC_URL / PEARL_OIDC_ISSUERS for tokens",
                setting="PEARL_API_KEY_PEPPER",
            )
        self._authenticator = runtime.pearl.authenticator(issuer)

    async def resolve(self, credential: str) -> Principal | None:
        try:
            return await self._authenticator.authenticate(credential)
        except Unauthenticated:
            return None

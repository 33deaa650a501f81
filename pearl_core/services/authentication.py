"""Authentication: one presented bearer credential → the principal it stands for.

A server calls :meth:`Authenticator.authenticate` once per request, before
any route or MCP message runs. Three kinds of credential are accepted, told
apart by their shape, never by a parameter the caller chooses:

- ``pearl_<key_id>_<secret>``: an API key of a service account
  (:func:`~pearl_core.services.credentials.resolve_api_key`), limited to its scopes;
- a JWT whose ``iss`` is this server: an *access* token PeaRL minted at sign-in
  (:func:`~pearl_core.services.sessions.principal_from_access_token`); refresh and
  ID tokens are refused here;
- a JWT whose ``iss`` is a trusted identity provider (``PEARL_OIDC_ISSUERS``),
  verified against that issuer's own keys and mapped to roles by its ``role_map``;
  a human must already be a PeaRL user of the issuer's org with the token's
  ``email`` (``no_user`` otherwise) and acts as that user, so one person is one
  subject whichever way they sign in.

Every refusal is ``unauthenticated`` with a machine ``reason``; the
credential itself never appears in an error, a log line or an audit event.
Access tokens are stateless: a disabled user's or demoted user's access token
keeps working until it expires (``PEARL_ACCESS_TOKEN_TTL_SECONDS``, 15 minutes
by default); the next refresh is refused or carries the new roles.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from pearl_core.auth import TokenIssuer, TokenKind, TokenVerifier, VerifiedToken, peek_issuer
from pearl_core.clock import Clock
from pearl_core.domain.enums import PrincipalKind
from pearl_core.domain.identity import Principal
from pearl_core.errors import Forbidden, Unauthenticated
from pearl_core.ports import CredentialLookup
from pearl_core.services.credentials import resolve_api_key
from pearl_core.services.sessions import principal_from_access_token

__all__ = ["Authenticator"]

_API_KEY_PREFIX = "pearl_"
_MAX_CREDENTIAL = 8192
_MAX_EMAIL = 320


@dataclass(frozen=True, slots=True)
class Authenticator:
    """Resolves bearer credentials against the store, PeaRL's issuer and trusted IdPs."""

    lookup: CredentialLookup
    clock: Clock
    pepper: bytes | None = None
    """``PEARL_API_KEY_PEPPER``; ``None``: API keys are refused."""
    issuer: TokenIssuer | None = None
    """PeaRL's own issuer; ``None``: no sign-in tokens are accepted."""
    verifier: TokenVerifier | None = None
    """Trusted external issuers; ``None``: none."""

    async def authenticate(self, credential: str) -> Principal:
        """The principal ``credential`` stands for, or ``unauthenticated``."""
        credential = credential.strip()
        if not credential or len(credential) > _MAX_CREDENTIAL:
            raise Unauthenticated("the credential is malformed", reason="malformed")
        if credential.startswith(_API_KEY_PREFIX):
            return await self._api_key(credential)
        if credential.count(".") == 2:
            return await self._token(credential)
        raise Unauthenticated("the credential is malformed", reason="malformed")

    async def _api_key(self, credential: str) -> Principal:
        if self.pepper is None:
            raise Unauthenticated("API keys are not enabled", reason="api_keys_disabled")
        principal = await resolve_api_key(
            self.lookup, credential, pepper=self.pepper, clock=self.clock
        )
        if principal is None:
            raise Unauthenticated("the API key is not valid", reason="invalid_api_key")
        return principal

    async def _token(self, credential: str) -> Principal:
        claimed = peek_issuer(credential)
        if self.issuer is not None and claimed == self.issuer.issuer:
            verified = self.issuer.verify(credential, kind=TokenKind.ACCESS)
            return principal_from_access_token(verified)
        if self.verifier is not None and claimed in self.verifier.issuers:
            verified = await self.verifier.verify(credential)
            try:
                principal = self.verifier.principal_for(verified)
            except Forbidden as exc:  # a valid token that maps to no PeaRL role
                raise Unauthenticated(
                    "the token grants no PeaRL role", reason=exc.details.get("reason", "no_role")
                ) from None
            return await self._linked(principal, verified)
        raise Unauthenticated("the token's issuer is not trusted", reason="unknown_issuer")

    async def _linked(self, principal: Principal, verified: VerifiedToken) -> Principal:
        """An identity provider's person acts as the PeaRL user with their email, so
        one human is one subject however they sign in (and cannot decide their own
        request through a second identity). Service accounts keep the token's subject."""
        auth_time = verified.claims.get("auth_time")
        signed_in_at = (
            datetime.fromtimestamp(auth_time, UTC)
            if isinstance(auth_time, int) and auth_time > 0
            else None
        )
        if principal.kind is not PrincipalKind.HUMAN:
            return principal.model_copy(update={"from_token": True})
        email = verified.claims.get("email")
        user = None
        if isinstance(email, str) and 0 < len(email) <= _MAX_EMAIL:
            user = await self.lookup.user_by_email(principal.org_id, email)
        if user is None or user.disabled:
            raise Unauthenticated(
                "the identity provider's user is not a PeaRL user of the org", reason="no_user"
            )
        return principal.model_copy(
            update={
                "subject_id": user.user_id,
                "display_name": user.display_name,
                "from_token": True,
                "signed_in_at": signed_in_at,
            }
        )

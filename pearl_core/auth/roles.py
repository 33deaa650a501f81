"""From a verified external token to the :class:`~pearl_core.Principal` it acts as.

* ``org_id`` and ``kind`` come from the trusted issuer, never from the token;
* ``subject_id`` is ``<issuer>#<subject>``, so equal subjects of two issuers
  stay two principals (more than 200 characters: refused as ``malformed``);
* roles are the union of ``role_map[group]`` over the values of the issuer's
  ``role_claim``; values the map does not name grant nothing, and a token
  that maps to no role at all is ``Forbidden`` (reason ``no_role``);
* a service-account issuer never yields reviewer or admin: its configuration
  is refused, and :class:`~pearl_core.Principal` would refuse it again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from pydantic import ValidationError

from pearl_core.auth.claims import VerifiedToken, refuse
from pearl_core.domain.enums import PrincipalKind
from pearl_core.domain.identity import HUMAN_ONLY_ROLES, Principal
from pearl_core.errors import Forbidden

if TYPE_CHECKING:
    from pearl_core.auth.verify import TrustedIssuer

__all__ = ["groups_of", "principal_from"]

_MAX_SUBJECT_ID: Final = 200
_DISPLAY_CLAIMS: Final = ("name", "preferred_username", "email")


def groups_of(claims: Mapping[str, Any], role_claim: str) -> tuple[str, ...]:
    """The string values of ``role_claim``: a top-level claim, else a dotted path."""
    value: Any = claims.get(role_claim)
    if role_claim not in claims:
        value = claims
        for part in role_claim.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(item for item in value if isinstance(item, str))
    return ()


def principal_from(token: VerifiedToken, trusted: TrustedIssuer) -> Principal:
    """The principal a token of ``trusted`` acts as; see the module docstring."""
    if token.issuer != trusted.issuer:
        raise refuse("unknown_issuer")
    roles = frozenset(
        role
        for group in groups_of(token.claims, trusted.role_claim)
        for role in trusted.role_map.get(group, ())
    )
    if not roles:
        raise Forbidden(
            "the token's groups grant no PeaRL role", issuer=trusted.issuer, reason="no_role"
        )
    if trusted.kind is not PrincipalKind.HUMAN and roles & HUMAN_ONLY_ROLES:
        raise Forbidden(
            "a service account cannot hold reviewer or admin",
            issuer=trusted.issuer,
            reason="human_only_role",
        )
    subject_id = f"{trusted.issuer}#{token.subject}"
    if len(subject_id) > _MAX_SUBJECT_ID:
        raise refuse("malformed", claim=trusted.subject_claim)
    display = next(
        (value for name in _DISPLAY_CLAIMS if isinstance(value := token.claims.get(name), str)),
        token.subject,
    )
    try:
        return Principal(
            org_id=trusted.org_id,
            subject_id=subject_id,
            kind=trusted.kind,
            roles=roles,
            display_name=display[:_MAX_SUBJECT_ID],
        )
    except ValidationError:
        raise Forbidden(
            "the token does not map to a valid principal",
            issuer=trusted.issuer,
            reason="invalid_principal",
        ) from None

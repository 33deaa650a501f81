"""Signing compiled packages, verifying them offline, and the key file."""

from __future__ import annotations

import base64
import hashlib
import json
import stat
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from context_docs import app_spec, coding, compile_
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from pearl_core import (
    CompiledContextPackage,
    Ed25519Signer,
    KeyFileSigner,
    SignatureInvalid,
    key_id_of,
    load_public_key,
    parse_json,
    public_key_pem,
    sign_package,
    verify_package,
)
from pearl_core.context import package_hash
from pearl_core.errors import ConfigurationError
from pearl_core.testing import DEFAULT_START

SIGNER = Ed25519Signer.generate()
KEYS = {SIGNER.key_id: SIGNER.public_key()}


def signed(**overrides: Any) -> CompiledContextPackage:
    return sign_package(compile_(**overrides), SIGNER)


def edit(package: CompiledContextPackage, change: Callable[[dict[str, Any]], None]) -> Any:
    """The package after ``change`` to its exported JSON, read back as PeaRL reads files."""
    doc = package.model_dump(mode="json", exclude_none=True)
    change(doc)
    return parse_json(CompiledContextPackage, json.dumps(doc))


def test_a_signed_package_verifies_with_the_signers_public_key() -> None:
    package = signed()

    verify_package(package, KEYS)

    integrity = package.package_metadata.integrity
    assert (integrity.signed, integrity.signer, integrity.key_id) == (True, "pearl", SIGNER.key_id)
    assert integrity.hash == package_hash(package)


def test_an_exported_and_reread_package_still_verifies() -> None:
    package = signed(a=app_spec(autonomous_coding=coding(approval_required_for=["x"])))

    verify_package(edit(package, lambda doc: None), KEYS)


def test_a_verifier_needs_only_the_exported_json_jcs_and_ed25519() -> None:
    package = signed()
    exported = json.loads(json.dumps(package.model_dump(mode="json", exclude_none=True)))
    integrity = exported["package_metadata"]["integrity"]
    signature = base64.b64decode(integrity.pop("signature"))

    SIGNER.public_key().verify(signature, rfc8785.dumps(exported))

    del exported["package_metadata"]["integrity"], exported["package_metadata"]["package_id"]
    assert hashlib.sha256(rfc8785.dumps(exported)).hexdigest() == integrity["hash"]


def test_signing_the_same_package_twice_gives_the_same_signature() -> None:
    assert signed() == signed()


def _allow(doc: dict[str, Any]) -> None:
    doc["autonomy_policy"]["allowed_actions"].append("prod_deploy")


def _unblock(doc: dict[str, Any]) -> None:
    doc["autonomy_policy"]["blocked_actions"] = []


def _redate(doc: dict[str, Any]) -> None:
    later = DEFAULT_START + timedelta(days=30)
    doc["package_metadata"]["integrity"]["compiled_at"] = later.isoformat()


def _relabel(doc: dict[str, Any]) -> None:
    doc["package_metadata"]["package_id"] = "pkg_other"


def _older_input(doc: dict[str, Any]) -> None:
    doc["package_metadata"]["input_versions"]["environment_profile"]["version"] = 7


def _allow_and_rehash(doc: dict[str, Any]) -> None:
    _allow(doc)
    tampered = parse_json(CompiledContextPackage, json.dumps(doc))
    doc["package_metadata"]["integrity"]["hash"] = package_hash(tampered)


@pytest.mark.parametrize(
    "tamper",
    [_allow, _unblock, _redate, _relabel, _older_input, _allow_and_rehash],
    ids=["allow", "unblock", "redate", "relabel", "older_input", "allow_and_rehash"],
)
def test_changing_one_field_breaks_verification(tamper: Callable[[dict[str, Any]], None]) -> None:
    tampered = edit(signed(), tamper)

    with pytest.raises(SignatureInvalid) as caught:
        verify_package(tampered, KEYS)

    assert caught.value.code == "signature_invalid"


def test_a_package_signed_by_an_unknown_key_is_refused() -> None:
    other = Ed25519Signer.generate()

    with pytest.raises(SignatureInvalid) as caught:
        verify_package(sign_package(compile_(), other), KEYS)

    assert caught.value.code == "signature_invalid"


def test_a_package_claiming_a_trusted_key_id_but_signed_by_another_key_is_refused() -> None:
    impostor = Ed25519Signer.generate()
    forged = sign_package(compile_(), impostor)
    forged = edit(
        forged, lambda doc: doc["package_metadata"]["integrity"].update(key_id=SIGNER.key_id)
    )

    with pytest.raises(SignatureInvalid) as caught:
        verify_package(forged, KEYS)

    assert caught.value.code == "signature_invalid"


@pytest.mark.parametrize(
    "strip",
    [
        lambda doc: doc["package_metadata"]["integrity"].pop("signature"),
        lambda doc: doc["package_metadata"]["integrity"].update(signed=False),
    ],
    ids=["no_signature", "signed_false"],
)
def test_a_package_without_a_signature_is_refused(strip: Callable[[dict[str, Any]], None]) -> None:
    with pytest.raises(SignatureInvalid) as caught:
        verify_package(edit(signed(), strip), KEYS)

    assert caught.value.code == "signature_invalid"


def test_an_unsigned_compiled_package_is_refused() -> None:
    with pytest.raises(SignatureInvalid) as caught:
        verify_package(compile_(), KEYS)

    assert caught.value.code == "signature_invalid"


def test_a_signature_of_the_wrong_length_is_refused() -> None:
    short = base64.b64encode(b"\x00" * 10).decode()
    tampered = edit(
        signed(), lambda doc: doc["package_metadata"]["integrity"].update(signature=short)
    )

    with pytest.raises(SignatureInvalid) as caught:
        verify_package(tampered, KEYS)

    assert caught.value.code == "signature_invalid"


def test_a_signature_that_is_not_standard_base64_is_refused() -> None:
    tampered = edit(
        signed(), lambda doc: doc["package_metadata"]["integrity"].update(signature="a_b-c")
    )

    with pytest.raises(SignatureInvalid) as caught:
        verify_package(tampered, KEYS)

    assert caught.value.code == "signature_invalid"


# -- keys --------------------------------------------------------------------------


def test_the_key_id_is_the_start_of_the_sha256_of_the_raw_public_key() -> None:
    raw = SIGNER.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )

    assert SIGNER.key_id == hashlib.sha256(raw).hexdigest()[:16]


def test_a_public_key_round_trips_through_pem() -> None:
    key = load_public_key(public_key_pem(SIGNER.public_key()))

    assert key_id_of(key) == SIGNER.key_id
    verify_package(signed(), {key_id_of(key): key})


def test_a_public_key_that_is_not_ed25519_is_refused() -> None:
    rsa_pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )

    for pem in (rsa_pem, b"not a key"):
        with pytest.raises(ConfigurationError) as caught:
            load_public_key(pem)
        assert caught.value.code == "configuration_error"


def test_a_missing_key_file_is_created_private_and_then_reused(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "signing-key.pem"

    first = Ed25519Signer.from_file(path)
    again = Ed25519Signer.from_file(path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first.key_id == again.key_id
    assert list(path.parent.iterdir()) == [path]


def test_a_key_file_others_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "signing-key.pem"
    Ed25519Signer.from_file(path)
    path.chmod(0o644)

    with pytest.raises(ConfigurationError) as caught:
        Ed25519Signer.from_file(path)

    assert caught.value.code == "configuration_error"
    assert caught.value.details["setting"] == "PEARL_SIGNING_KEY_FILE"


def test_a_key_file_that_is_not_an_ed25519_private_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "signing-key.pem"
    rsa_pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    for content in (rsa_pem, b"garbage"):
        path.write_bytes(content)
        path.chmod(0o600)
        with pytest.raises(ConfigurationError) as caught:
            Ed25519Signer.from_file(path)
        assert caught.value.code == "configuration_error"


def test_a_missing_key_file_is_a_configuration_error_when_not_creating(tmp_path: Path) -> None:
    path = tmp_path / "signing-key.pem"

    with pytest.raises(ConfigurationError) as caught:
        Ed25519Signer.from_file(path, create=False)

    assert caught.value.code == "configuration_error"
    assert not path.exists()


def test_a_key_file_signer_reads_nothing_until_it_is_used(tmp_path: Path) -> None:
    path = tmp_path / "signing-key.pem"
    signer = KeyFileSigner(path)

    assert not path.exists()
    package = sign_package(compile_(), signer)

    verify_package(package, {signer.key_id: Ed25519Signer.from_file(path).public_key()})

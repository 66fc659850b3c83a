"""The signed QR payload: round trip, tampering, wrong keys, and arbitrary input (pure)."""

from __future__ import annotations

import base64
import dataclasses

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from kiosk.certificates.payload import (
    PREFIX,
    CertificateClaim,
    VerifyStatus,
    certificate_digest,
    sign_claim,
    verify_payload,
)
from tests.printing.conftest import TEST_KEY_SEED, make_certificate

KEY = Ed25519PrivateKey.from_private_bytes(TEST_KEY_SEED)
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(32))


def _claim() -> CertificateClaim:
    from kiosk.certificates.payload import key_id

    return CertificateClaim.for_document(make_certificate(), key_id(KEY.public_key()))


def test_round_trip_in_the_qr_alphanumeric_alphabet() -> None:
    text = sign_claim(_claim(), KEY)
    alphanumeric = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
    assert set(text) <= alphanumeric
    outcome = verify_payload(text, [OTHER_KEY.public_key(), KEY.public_key()])
    assert outcome.status is VerifyStatus.GENUINE
    assert outcome.claim == _claim()


def test_digest_covers_every_printed_field() -> None:
    doc = make_certificate()
    base = certificate_digest(doc)
    for change in ({"holder_name": "李四"}, {"issuer": "别的机关"}, {"notes": ()},
                   {"fields": (("参保状态", "暂停参保"),)}, {"serial": "SB1"}):
        assert certificate_digest(dataclasses.replace(doc, **change)) != base, change


def test_a_changed_field_breaks_the_signature() -> None:
    text = sign_claim(_claim(), KEY)
    raw = base64.b32decode(text[len(PREFIX):] + "=" * (-len(text[len(PREFIX):]) % 8))
    forged = raw.replace(b"SB2026112100017", b"SB2026112100018")
    forged_text = PREFIX + base64.b32encode(forged).decode().rstrip("=")
    outcome = verify_payload(forged_text, [KEY.public_key()])
    assert outcome.status is VerifyStatus.BAD_SIGNATURE
    assert outcome.claim is not None and outcome.claim.serial == "SB2026112100018"


def test_unknown_key_and_foreign_codes_are_not_genuine() -> None:
    text = sign_claim(_claim(), KEY)
    assert verify_payload(text, [OTHER_KEY.public_key()]).status is VerifyStatus.UNKNOWN_KEY
    assert verify_payload("https://example.org/x", [KEY.public_key()]).status \
        is VerifyStatus.NOT_A_CERTIFICATE_CODE
    assert verify_payload(PREFIX + "AAAA", [KEY.public_key()]).status is VerifyStatus.MALFORMED


@given(st.text(max_size=400))
def test_arbitrary_text_never_verifies_and_never_raises(text: str) -> None:
    assert not verify_payload(text, [KEY.public_key()]).genuine


@given(st.binary(max_size=300))
def test_arbitrary_bytes_behind_the_prefix_never_verify(data: bytes) -> None:
    text = PREFIX + base64.b32encode(data).decode().rstrip("=")
    assert not verify_payload(text, [KEY.public_key()]).genuine

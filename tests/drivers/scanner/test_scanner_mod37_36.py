"""ISO/IEC 7064 MOD 37,36 check characters: published vectors, every single-character error
caught, and e-licence identifiers accepted only with the right check character."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.scanner.payloads import CodeKind, classify
from identifiers.elicence import make_elicence_id as e_licence_id
from identifiers.elicence import mod37_36_check, mod37_36_valid

ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@pytest.mark.parametrize(("data", "check"), [
    ("A12425GABC1234002", "M"),  # ISO 7064 / GRid example
    ("104G7M", "3"),
    ("12CD", "5"),
])
def test_known_vectors(data: str, check: str) -> None:
    assert mod37_36_check(data) == check
    assert mod37_36_valid(data + check)


def test_invalid_characters() -> None:
    assert not mod37_36_valid("a12425gabc1234002m")  # lower case is not in the alphabet
    assert not mod37_36_valid("A1242-5M")
    assert not mod37_36_valid("M")
    with pytest.raises(ValueError):
        mod37_36_check("ABC-1")


@given(st.text(alphabet=ALNUM, min_size=1, max_size=60), st.data())
def test_single_substitution_is_caught(body: str, data: st.DataObject) -> None:
    full = body + mod37_36_check(body)
    pos = data.draw(st.integers(0, len(full) - 1))
    new = data.draw(st.sampled_from(ALNUM).filter(lambda c: c != full[pos]))
    assert not mod37_36_valid(full[:pos] + new + full[pos + 1:])


def test_adjacent_transpositions_nearly_all_caught() -> None:
    # hybrid MOD M+1,M systems catch nearly all (not all) adjacent transpositions
    caught = total = 0
    for a in ALNUM:
        for b in ALNUM:
            if a == b:
                continue
            body = f"9{a}{b}7"
            full = body + mod37_36_check(body)
            total += 1
            caught += not mod37_36_valid(f"9{b}{a}7" + full[-1])
    assert caught / total > 0.95


TYPE = "11100000000013338W001"  # ministry credit code + licence type 001 (from the spec)
ISSUER = "11110105MB0123456X"


def test_e_licence_round_trip() -> None:
    text = e_licence_id(TYPE, ISSUER, "2026BJ0000123", "001")
    code = classify(text)
    assert code.kind is CodeKind.E_LICENCE
    assert code.licence is not None
    assert code.licence.type_code == TYPE and code.licence.issuer_code == ISSUER
    assert code.licence.serial == "2026BJ0000123" and code.licence.version == "001"
    assert code.licence.check == mod37_36_check(TYPE + ISSUER + "2026BJ0000123001")


def test_e_licence_wrong_check_rejected() -> None:
    text = e_licence_id(TYPE, ISSUER, "2026BJ0000123", "001")
    wrong = ALNUM[(ALNUM.index(text[-1]) + 1) % 36]
    code = classify(text[:-1] + wrong)
    assert code.kind is CodeKind.REJECTED and "check" in code.reason


@pytest.mark.parametrize("text", [
    "1.2.156.3005.2." + TYPE + "." + ISSUER + ".SERIAL.01.X",  # version not 3 digits
    "1.2.156.3005.2." + TYPE[:-1] + "." + ISSUER + ".S1.001.X",  # type code too short
    "1.2.156.3005.2." + TYPE + "." + ISSUER.lower() + ".S1.001.X",
    "1.2.156.3005.2." + TYPE + "." + ISSUER + ".S1.001",  # no check
    "1.2.156.3005.2." + TYPE + "." + ISSUER + ".S1.001.X;rm -rf /",
])
def test_e_licence_malformed(text: str) -> None:
    assert classify(text).kind is CodeKind.REJECTED

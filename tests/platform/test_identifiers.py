"""Seeded residents and licences carry valid identifiers (GB 11643, GB 32100, GB/T 36904)."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from identifiers.credit_code import uscc_valid
from identifiers.elicence import MOD36_CHARS, elicence_id_valid, make_elicence_id, mod37_36_check
from identifiers.resident_id import id_number_valid
from kiosk.sandbox import records
from kiosk.sandbox.seed import RESIDENTS, by_key, from_json, to_json

TODAY = date(2026, 11, 21)


def test_at_least_twelve_residents_with_valid_unique_id_numbers() -> None:
    assert len(RESIDENTS) >= 12
    numbers = [r.id_number for r in RESIDENTS]
    assert len(set(numbers)) == len(numbers)
    assert all(id_number_valid(n) for n in numbers)
    assert len({r.qr_code for r in RESIDENTS}) == len(RESIDENTS)
    assert len({r.key for r in RESIDENTS}) == len(RESIDENTS)


def test_birth_date_and_sex_agree_with_the_number() -> None:
    for resident in RESIDENTS:
        assert resident.id_number[6:14] == resident.birth_date.strftime("%Y%m%d")
        assert resident.sex == ("男" if int(resident.id_number[16]) % 2 else "女")


def test_the_mix_the_services_need() -> None:
    ages = [r.age_on(TODAY) for r in RESIDENTS]
    assert sum(age >= 65 for age in ages) >= 3 and sum(age < 40 for age in ages) >= 4
    assert sum(r.newborn is not None for r in RESIDENTS) >= 2
    assert any(r.marital_status == "已婚" for r in RESIDENTS)
    assert any(r.marital_status == "离异" for r in RESIDENTS)
    assert any(r.business is not None for r in RESIDENTS)
    assert sum(r.tax_payer for r in RESIDENTS) >= 2
    assert {r.face for r in RESIDENTS} == {"registered", "mismatch", "none"}
    assert all(r.paid_months >= 24 for r in RESIDENTS)


def test_spouses_point_at_each_other() -> None:
    for resident in RESIDENTS:
        if resident.spouse_key:
            assert by_key(resident.spouse_key).spouse_key == resident.key


def test_seed_survives_the_json_round_trip() -> None:
    for resident in RESIDENTS:
        assert from_json(to_json(resident)) == resident


def test_every_licence_identifier_is_valid_and_unique() -> None:
    ids = [lic["licence_id"] for r in RESIDENTS for lic in records.licences(r, TODAY)]
    assert len(ids) == len(set(ids)) and len(ids) >= 20
    assert all(elicence_id_valid(i) for i in ids)


def test_credit_codes_are_valid() -> None:
    assert uscc_valid("91350100M000100Y43")  # the example printed in GB 32100 guidance
    for code in (
        records.CIVIL_AFFAIRS,
        records.MARKET_REGULATION,
        records.DISTRICT_MARKET,
        records.business_credit_code(by_key("business_owner")),
    ):
        assert uscc_valid(code)
    assert not uscc_valid("91350100M000100Y44")


ALNUM = st.text(alphabet=MOD36_CHARS, min_size=1, max_size=40)


@given(ALNUM)
def test_mod37_36_catches_every_single_substitution(body: str) -> None:
    check = mod37_36_check(body)
    for index in range(len(body)):
        for char in MOD36_CHARS[::7]:
            if char != body[index]:
                changed = body[:index] + char + body[index + 1 :]
                assert mod37_36_check(changed) != check


@given(ALNUM)
def test_mod37_36_check_passes_the_iso7064_verification(body: str) -> None:
    # Verification as ISO/IEC 7064 states it, written independently of the implementation:
    # run the hybrid recursion over body + check; the final sum is congruent to 1 mod 36.
    product = 36
    total = 0
    for char in body + mod37_36_check(body):
        total = (product + MOD36_CHARS.index(char)) % 36 or 36
        product = (total * 2) % 37
    assert total % 36 == 1


def test_elicence_identifier_shape_and_tamper() -> None:
    licence_id = make_elicence_id(
        records.CIVIL_AFFAIRS + "001", records.DISTRICT_CIVIL_AFFAIRS, "A1B2C3"
    )
    assert licence_id.startswith("1.2.156.3005.2." + records.CIVIL_AFFAIRS + "001.")
    assert elicence_id_valid(licence_id)
    tampered = licence_id.replace("A1B2C3", "A1B2C4")
    assert not elicence_id_valid(tampered)
    assert not elicence_id_valid("1.2.156.3005.2.garbage")


def test_docs_list_every_seeded_resident() -> None:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "sandbox.md").read_text("utf-8")
    for resident in RESIDENTS:
        assert f"`{resident.id_number}`" in text and f"`{resident.qr_code}`" in text

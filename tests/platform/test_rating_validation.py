"""好差评: scores 1-5; 1 and 2 need at least one reason; bad input is 422, counted nowhere."""

from __future__ import annotations

from typing import Any

import pytest

from kiosk.platform import ErrorKind, PlatformClient, PlatformError
from tests.platform.conftest import Admin, login


@pytest.mark.parametrize("score", [1, 2])
def test_low_score_without_reason_is_refused(
    client: PlatformClient, admin: Admin, score: int
) -> None:
    with pytest.raises(PlatformError) as caught:
        client.rate("social-insurance-payments", score)
    assert caught.value.kind is ErrorKind.INVALID and caught.value.status == 422
    assert caught.value.code == "reasons_required"
    assert caught.value.message == "请至少选择一项不满意的原因"
    assert admin.stats()["totals"]["ratings"] == 0


@pytest.mark.parametrize("score", [1, 2, 3, 4, 5])
def test_every_score_with_what_it_needs_is_recorded(client: PlatformClient, score: int) -> None:
    reasons = ["等待时间长"] if score <= 2 else []
    assert client.rate("social-insurance-payments", score, reasons=reasons).rating_id


@pytest.mark.parametrize("score", [0, 6, -1, "5", True, 4.5, None])
def test_score_out_of_range_or_wrong_type(client: PlatformClient, score: Any) -> None:
    with pytest.raises(PlatformError) as caught:
        client.rate("x", score)
    assert caught.value.kind is ErrorKind.INVALID and caught.value.code == "invalid_score"


def test_rating_matched_to_case_and_resident(client: PlatformClient) -> None:
    token = login(client, "unemployed")
    case = client.submit_application("flexible-employment-insurance", token, {"base_level": "60"})
    receipt = client.rate(
        "flexible-employment-insurance",
        1,
        reasons=["操作复杂"],
        comment="字太小",
        case_number=case.case_number,
        resident_token=token,
    )
    assert receipt.rating_id


def test_rating_for_an_unknown_case_or_with_a_long_comment(client: PlatformClient) -> None:
    with pytest.raises(PlatformError) as unknown:
        client.rate("x", 5, case_number="SB19990101000001")
    assert unknown.value.kind is ErrorKind.NOT_FOUND
    with pytest.raises(PlatformError) as long_comment:
        client.rate("x", 5, comment="好" * 201)
    assert long_comment.value.kind is ErrorKind.INVALID


def test_problem_report_needs_every_field(client: PlatformClient) -> None:
    with pytest.raises(PlatformError) as caught:
        client.report_problem("x", "submit", "其他", "")
    assert caught.value.kind is ErrorKind.INVALID and caught.value.message == "缺少问题描述"

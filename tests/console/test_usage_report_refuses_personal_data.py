"""A terminal reports sessions, completed services and 好差评 to the real console as codes only:
a record carrying a name, an ID number, a comment, a case number or a token is refused whole
(422, nothing stored); so are a score outside 1-5, a category on a good rating, a free-text
category, another terminal's token, and a flood."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from kiosk.console.models import UsageRecord
from tests.console.helpers import Console

NOW = datetime.now(UTC).isoformat()


def _post(console: Console, terminal: str, token: str, records: list[dict[str, Any]]
          ) -> requests.Response:
    return requests.post(f"{console.url}/api/v1/terminals/{terminal}/usage",
                         json={"records": records},
                         headers={"Authorization": f"Bearer {token}"}, timeout=10)


def _stored(console: Console) -> int:
    with console.sessions() as db:
        return db.scalar(select(func.count()).select_from(UsageRecord)) or 0


def _rating(**extra: Any) -> dict[str, Any]:
    return {"kind": "rating", "service": "hukou-certificate", "score": 1,
            "category": "slow", "occurred_at": NOW, **extra}


@pytest.mark.parametrize("console", ["sqlite", "postgresql"], indirect=True)
def test_codes_are_stored(console: Console) -> None:
    token = console.enrol("T-1")
    answer = _post(console, "T-1", token, [
        {"kind": "session", "occurred_at": NOW},
        {"kind": "completed", "service": "hukou-certificate", "occurred_at": NOW},
        _rating(), {"kind": "rating", "service": "hukou-certificate", "score": 5,
                    "occurred_at": NOW}])
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"stored": 4}
    with console.sessions() as db:
        rows = list(db.scalars(select(UsageRecord).order_by(UsageRecord.id)))
    assert [(r.kind, r.service, r.score, r.category, r.status) for r in rows] == [
        ("session", "", None, "", ""), ("completed", "hukou-certificate", None, "", ""),
        ("rating", "hukou-certificate", 1, "slow", "open"),
        ("rating", "hukou-certificate", 5, "", "")]


@pytest.mark.parametrize("personal", [
    {"name": "张三"}, {"id_number": "110105199001010023"}, {"comment": "工作人员态度差"},
    {"case_number": "BJ2026-000123"}, {"token": "resident-token-abc"},
    {"resident_token": "abc"}, {"reasons": ["办理时间长"]}])
def test_personal_fields_are_refused_whole(console: Console, personal: dict[str, Any]) -> None:
    token = console.enrol("T-1")
    answer = _post(console, "T-1", token, [{"kind": "session", "occurred_at": NOW},
                                           _rating(**personal)])
    assert answer.status_code == 422
    assert answer.json()["error"] == "invalid"
    assert _stored(console) == 0


@pytest.mark.parametrize("bad", [
    _rating(score=0), _rating(score=6), _rating(score=5),  # a category on a good rating
    _rating(category="窗口人员张三态度差"), _rating(service="张三的户口"),
    _rating(service=None), {"kind": "completed", "occurred_at": NOW},
    {"kind": "session", "score": 3, "occurred_at": NOW},
    {"kind": "login", "occurred_at": NOW}, {"kind": "session"}])
def test_malformed_records_are_refused(console: Console, bad: dict[str, Any]) -> None:
    token = console.enrol("T-1")
    assert _post(console, "T-1", token, [bad]).status_code == 422
    assert _post(console, "T-1", token, []).status_code == 422
    assert _stored(console) == 0


def test_another_terminals_token_and_floods_are_refused(console: Console) -> None:
    console.enrol("T-1")
    other = console.enrol("T-2")
    assert _post(console, "T-1", other, [_rating()]).status_code == 401
    assert _post(console, "T-1", "not-a-token", [_rating()]).status_code == 401
    assert _stored(console) == 0
    sessions = [{"kind": "session", "occurred_at": NOW}] * 100
    assert _post(console, "T-2", other, sessions).status_code == 200
    flood = _post(console, "T-2", other, sessions)
    assert flood.status_code == 429 and flood.headers["Retry-After"] == "60"
    assert _stored(console) == 100

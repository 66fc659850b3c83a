"""The usage codes of docs/adr/0740 (a service started, abandoned at a step, printed or not,
the identification method, elderly mode, English, a 办不成事 report's category) reach the real
console as codes and add to the daily counts on SQLite and PostgreSQL alike (two batches on
the same day add up, China-time days); a record carrying words where a code belongs (a name as
a step, a description, a free-text category or method, a field of another kind) is refused
whole with 422 and nothing is counted."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from kiosk.console.models import UsageRecord
from kiosk.console.stats_models import UsageDaily, WorkItem
from tests.console.helpers import Console

#: 2026-03-31 16:30 UTC is April 1st, 00:30 in China.
LATE = "2026-03-31T15:30:00+00:00"
NEXT_DAY = "2026-03-31T16:30:00+00:00"
SERVICE = "social-insurance-payments"


def _post(console: Console, token: str, records: list[dict[str, Any]]) -> requests.Response:
    return requests.post(f"{console.url}/api/v1/terminals/T-1/usage", json={"records": records},
                         headers={"Authorization": f"Bearer {token}"}, timeout=10)


def _every_kind(at: str) -> list[dict[str, Any]]:
    return [
        {"kind": "session", "occurred_at": at},
        {"kind": "identified", "method": "smartcard", "occurred_at": at},
        {"kind": "identified", "method": "face", "occurred_at": at},
        {"kind": "elderly", "occurred_at": at}, {"kind": "english", "occurred_at": at},
        {"kind": "started", "service": SERVICE, "occurred_at": at},
        {"kind": "printed", "service": SERVICE, "step": "certificate", "occurred_at": at},
        {"kind": "print_failed", "service": SERVICE, "step": "certificate", "occurred_at": at},
        {"kind": "abandoned", "service": SERVICE, "step": "records", "occurred_at": at},
        {"kind": "unresolved", "service": SERVICE, "step": "records", "problem": "data",
         "occurred_at": at},
        {"kind": "rating", "service": SERVICE, "score": 1, "category": "slow",
         "categories": ["slow", "device"], "occurred_at": at}]


@pytest.mark.parametrize("console", ["sqlite", "postgresql"], indirect=True)
def test_every_code_is_stored_and_counted_by_day(console: Console) -> None:
    token = console.enrol("T-1")
    for batch in (_every_kind(LATE), _every_kind(LATE), _every_kind(NEXT_DAY)):
        answer = _post(console, token, batch)
        assert answer.status_code == 200, answer.text
    with console.sessions() as db:
        daily = {(str(d.day), d.kind, d.service, d.step, d.detail): d.count
                 for d in db.scalars(select(UsageDaily))}
        items = list(db.scalars(select(WorkItem).order_by(WorkItem.id)))
    assert daily[("2026-03-31", "abandoned", SERVICE, "records", "")] == 2
    assert daily[("2026-04-01", "abandoned", SERVICE, "records", "")] == 1
    assert daily[("2026-03-31", "identified", "", "", "smartcard")] == 2
    assert daily[("2026-03-31", "identified", "", "", "face")] == 2
    assert daily[("2026-03-31", "unresolved", SERVICE, "records", "data")] == 2
    assert daily[("2026-03-31", "rating", SERVICE, "", "1")] == 2
    assert daily[("2026-04-01", "print_failed", SERVICE, "certificate", "")] == 1
    assert sum(n for k, n in daily.items() if k[1] == "session") == 3
    # each 差评 and each 办不成事 is a work item with the console's own case number
    assert [(i.kind, i.categories, i.status) for i in items] == [
        ("unresolved", "data", "open"), ("bad_rating", "slow,device", "open")] * 3
    assert items[0].number.startswith("BC-20260331-") and items[5].number.startswith(
        "CP-20260401-")

    console.add_user("viewer1", "viewer")
    page = console.login("viewer1").get("/stats", params={"month": "2026-03"}).text
    assert '<td id="print-failed">2</td>' in page and '<td id="abandoned">2</td>' in page
    assert "社保缴费记录查询" in page and "办理时间长、设备故障" in page


@pytest.mark.parametrize("bad", [
    {"kind": "abandoned", "service": SERVICE, "step": "张三", "occurred_at": LATE},
    {"kind": "abandoned", "service": SERVICE, "occurred_at": LATE},  # no step
    {"kind": "abandoned", "step": "records", "occurred_at": LATE},  # no service
    {"kind": "session", "step": "records", "occurred_at": LATE},
    {"kind": "identified", "method": "fingerprint", "occurred_at": LATE},
    {"kind": "identified", "occurred_at": LATE},
    {"kind": "identified", "method": "idcard", "id_number": "110105199001010023",
     "occurred_at": LATE},
    {"kind": "elderly", "method": "idcard", "occurred_at": LATE},
    {"kind": "unresolved", "problem": "窗口张三态度差", "occurred_at": LATE},
    {"kind": "unresolved", "problem": "device", "description": "机器坏了 13800138000",
     "occurred_at": LATE},
    {"kind": "unresolved", "occurred_at": LATE},
    {"kind": "rating", "service": SERVICE, "score": 1, "category": "slow",
     "categories": ["工作人员张三"], "occurred_at": LATE},
    {"kind": "rating", "service": SERVICE, "score": 5, "categories": ["slow"],
     "occurred_at": LATE},
    {"kind": "started", "occurred_at": LATE},
])
def test_words_where_codes_belong_are_refused_whole(console: Console,
                                                   bad: dict[str, Any]) -> None:
    token = console.enrol("T-1")
    answer = _post(console, token, [{"kind": "session", "occurred_at": LATE}, bad])
    assert answer.status_code == 422
    with console.sessions() as db:
        assert db.scalar(select(func.count()).select_from(UsageRecord)) == 0
        assert db.scalar(select(func.count()).select_from(UsageDaily)) == 0

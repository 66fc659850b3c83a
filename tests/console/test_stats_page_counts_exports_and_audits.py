"""The 统计 page counts what terminals reported for the chosen month and district/site/terminal
(sessions, completions per service, 好差评 by level, 满意率, the 差评 list); the CSV export
holds the same figures with formulas neutralised and is itself audited; every role reads,
only 管理员 and 运维 take a 差评's work item through assign, rectify, reply and close (out of
order is refused in words), each change is in the audit log; a viewer's try changes nothing."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from sqlalchemy import select

from kiosk.console.models import AuditEntry, UsageRecord
from kiosk.console.stats import CHINA_TIME
from kiosk.console.stats_models import WorkItem
from tests.console.helpers import Console

#: 2026-03-31 23:30 China time is still March; 2026-03-31 16:30 UTC is April 1st 00:30 there.
MARCH = "2026-03-10T02:00:00+00:00"
LATE_MARCH = "2026-03-31T15:30:00+00:00"
APRIL = "2026-03-31T16:30:00+00:00"


def _post(console: Console, terminal: str, token: str, records: list[dict[str, Any]]) -> None:
    answer = requests.post(f"{console.url}/api/v1/terminals/{terminal}/usage",
                           json={"records": records},
                           headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert answer.status_code == 200, answer.text


def _rate(service: str, score: int, at: str, category: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"kind": "rating", "service": service, "score": score,
                            "occurred_at": at}
    if category:
        body["category"] = category
    return body


def _done(service: str, at: str) -> dict[str, Any]:
    return {"kind": "completed", "service": service, "occurred_at": at}


def _report(console: Console) -> None:
    """Two terminals in 朝阳区 (one site named like a formula), one in 东城区."""
    a = console.enrol("CY-1", district="朝阳区", site="望京街道便民服务中心")
    b = console.enrol("CY-2", district="朝阳区", site="=HYPERLINK(\"http://evil\")")
    c = console.enrol("DC-1", district="东城区", site="东华门街道")
    session = {"kind": "session", "occurred_at": MARCH}
    _post(console, "CY-1", a, [session, session, session, _done("hukou", MARCH),
                               _done("hukou", LATE_MARCH), _done("social-insurance", MARCH),
                               _rate("hukou", 5, MARCH), _rate("hukou", 4, MARCH),
                               _rate("hukou", 1, LATE_MARCH, "slow")])
    _post(console, "CY-2", b, [session, _done("hukou", MARCH), _rate("hukou", 3, MARCH),
                               _rate("social-insurance", 2, MARCH, "device")])
    _post(console, "DC-1", c, [session, _done("hukou", MARCH), _rate("hukou", 5, MARCH),
                               _rate("hukou", 1, APRIL, "other"),
                               {"kind": "session", "occurred_at": APRIL}])


def _cell(page: str, cell_id: str) -> str:
    found = re.search(rf'id="{cell_id}">([^<]*)<', page)
    assert found, cell_id
    return found.group(1).strip()


@pytest.mark.parametrize("console", ["sqlite", "postgresql"], indirect=True)
def test_page_counts_what_was_reported(console: Console) -> None:
    _report(console)
    console.add_user("viewer1", "viewer")
    viewer = console.login("viewer1")
    page = viewer.get("/stats", params={"month": "2026-03"}).text
    assert _cell(page, "sessions") == "5"
    assert _cell(page, "level-5") == "2" and _cell(page, "level-4") == "1"
    assert _cell(page, "level-3") == "1" and _cell(page, "level-2") == "1"
    assert _cell(page, "level-1") == "1" and _cell(page, "ratings-total") == "6"
    assert _cell(page, "satisfaction") == "66.7%"  # (2 + 1 + 1) / 6
    # services unknown to the catalogue are shown by their id; started, then completed
    assert '<td class="service" title="hukou">hukou</td><td>0</td><td>4</td>' in page
    assert ('<td class="service" title="social-insurance">social-insurance</td><td>0</td>'
            '<td>1</td>') in page
    assert page.count('<tr id="bad-') == 2 and "办理时间长" in page and "设备故障" in page
    assert page.count('<td class="status">待处理</td>') == 2  # each 差评 is a work item
    assert "标为已整改" not in page  # a viewer reads, does not change

    chaoyang = viewer.get("/stats", params={"month": "2026-03", "district": "朝阳区"}).text
    assert _cell(chaoyang, "sessions") == "4" and _cell(chaoyang, "ratings-total") == "5"
    one = viewer.get("/stats", params={"month": "2026-03", "terminal": "CY-2"}).text
    assert _cell(one, "sessions") == "1" and _cell(one, "level-2") == "1"
    assert _cell(one, "ratings-total") == "2" and _cell(one, "satisfaction") == "50.0%"
    april = viewer.get("/stats", params={"month": "2026-04"}).text
    assert _cell(april, "sessions") == "1" and _cell(april, "level-1") == "1"
    empty = viewer.get("/stats", params={"month": "2025-01"}).text
    assert _cell(empty, "ratings-total") == "0" and _cell(empty, "satisfaction") == "—"
    assert "本月没有差评" in empty
    assert viewer.get("/stats", params={"month": "2026-13"}).status_code == 400


def test_csv_export_has_the_figures_neutralised_and_is_audited(console: Console) -> None:
    _report(console)
    console.add_user("viewer1", "viewer")
    viewer = console.login("viewer1")
    answer = viewer.get("/stats.csv", params={"month": "2026-03"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert 'filename="console-stats-2026-03.csv"' in answer.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert ["sessions", "5"] in rows
    assert ["hukou", "4"] in rows and ["social-insurance", "1"] in rows
    assert ["1", "非常不满意", "1"] in rows and ["satisfaction", "0.6667"] in rows
    header = rows.index(["bad_rating_id", "occurred_at", "service", "terminal", "district",
                         "site", "score", "category", "status"])
    bad = rows[header + 1:]
    assert [(r[2], r[3], r[6], r[7], r[8]) for r in bad] == [
        ("hukou", "CY-1", "1", "slow", "open"), ("social-insurance", "CY-2", "2", "device",
                                                  "open")]
    assert bad[1][5] == "'=HYPERLINK(\"http://evil\")"  # not a formula in a spreadsheet
    with console.sessions() as db:
        entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "stats_export"))
    assert entry is not None and entry.actor == "viewer1" and '"2026-03"' in entry.detail


def _item_id(console: Console, service: str) -> int:
    with console.sessions() as db:
        found = db.scalar(select(WorkItem.id).where(WorkItem.service == service))
    assert found is not None
    return found


@pytest.mark.parametrize("role", ["viewer", "approver"])
def test_readers_cannot_act_on_a_bad_rating(console: Console, role: str) -> None:
    _report(console)
    console.add_user("someone", role)
    console.add_user("op1", "operator")
    browser = console.login("someone")
    assert browser.get("/stats").status_code == 200
    item = _item_id(console, "social-insurance")
    page = browser.get(f"/stats/work/{item}").text
    assert "设备故障" in page and 'id="form-assign"' not in page
    answer = browser.post(f"/stats/work/{item}/assign", {"assignee": "op1"})
    assert answer.status_code == 403 and "权限" in answer.text
    with console.sessions() as db:
        assert db.get(WorkItem, item).status == "open"  # type: ignore[union-attr]
        assert db.scalar(select(AuditEntry).where(
            AuditEntry.action.like("work_item_%"))) is None


def test_operator_takes_a_bad_rating_through_its_life_audited(console: Console) -> None:
    _report(console)
    console.add_user("op1", "operator")
    console.add_user("op2", "operator")
    operator = console.login("op1")
    item = _item_id(console, "social-insurance")
    page = operator.get("/stats", params={"month": "2026-03"}).text
    assert f'href="/stats/work/{item}"' in page
    # out of order: refused with a plain message, nothing changes
    answer = operator.post(f"/stats/work/{item}/close", {})
    assert answer.status_code == 200 and "请先答复群众" in answer.text
    answer = operator.post(f"/stats/work/{item}/reply", {"text": "已联系"})
    assert "请先指派处理人" in answer.text
    answer = operator.post(f"/stats/work/{item}/assign", {"assignee": "nobody"})
    assert "有效的控制台用户" in answer.text
    for action, body, status in (("assign", {"assignee": "op2"}, "已指派"),
                                 ("rectify", {"text": "更换读卡器"}, "已整改"),
                                 ("reply", {"text": "设备已修复，欢迎再来办理"}, "已答复"),
                                 ("close", {}, "已办结")):
        answer = operator.post(f"/stats/work/{item}/{action}", body)
        assert answer.status_code == 200
        found = re.search(r'id="item-status">([^<]*)<', answer.text)
        assert found and found.group(1) == status, action
    assert "设备已修复" in answer.text and 'id="form-reply"' not in answer.text
    assert "该工单已办结" in operator.post(f"/stats/work/{item}/reply",
                                         {"text": "again"}).text
    assert operator.post(f"/stats/work/{item}/assign", {"assignee": "op2"},
                         csrf=False).status_code == 403
    with console.sessions() as db:
        row = db.get(WorkItem, item)
        assert row is not None and row.assignee == "op2" and row.replied_at is not None
        record = db.get(UsageRecord, row.usage_record_id)
        assert record is not None and record.status == "rectified"
        entries = list(db.scalars(select(AuditEntry).where(
            AuditEntry.action.like("work_item_%")).order_by(AuditEntry.id)))
    assert [e.action for e in entries] == ["work_item_assign", "work_item_rectify",
                                           "work_item_reply", "work_item_close"]
    assert all(e.actor == "op1" and e.target == "CY-2" for e in entries)
    assert '"after": "replied"' in entries[2].detail and "欢迎再来办理" in entries[2].detail
    console.add_user("admin1", "admin")
    audit_page = console.login("admin1").get("/audit").text
    assert "工单答复" in audit_page and "工单办结" in audit_page


def _good_id(console: Console) -> int:
    with console.sessions() as db:
        found = db.scalar(select(UsageRecord.id).where(UsageRecord.score == 5))
    assert found is not None
    return found


def test_month_defaults_to_the_current_china_month(console: Console) -> None:
    console.add_user("viewer1", "viewer")
    page = console.login("viewer1").get("/stats").text
    expected = datetime.now(UTC).astimezone(CHINA_TIME).strftime("%Y-%m")
    # the picker is a list of months in Chinese, never the browser's own month control
    assert f'<option value="{expected}" selected>{int(expected[:4])}年{int(expected[5:])}月' \
        in page
    assert 'type="month"' not in page


def test_monthly_report_csv_is_neutralised_and_audited(console: Console) -> None:
    _report(console)
    console.add_user("viewer1", "viewer")
    viewer = console.login("viewer1")
    page = viewer.get("/stats/report", params={"month": "2026-03"}).text
    assert "2026年3月" in page and "朝阳区" in page and "东城区" in page
    answer = viewer.get("/stats/report.csv", params={"month": "2026-03"})
    assert answer.status_code == 200 and 'haochaping-2026-03.csv' in answer.headers[
        "content-disposition"]
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    districts = {r[0]: r for r in rows if r and r[0] in ("朝阳区", "东城区", "合计")}
    # 朝阳区: 4 sessions, 3 completions on CY-1 + 1 on CY-2, 5 ratings, 2 差评 (one each)
    assert districts["朝阳区"][1:7] == ["4", "4", "5", "60.0%", "2", "0"]
    assert districts["合计"][1] == "5"
    assert [r[0] for r in rows if "HYPERLINK" in "".join(r)] == ["'=HYPERLINK(\"http://evil\")"]
    assert viewer.get("/stats/report.pdf", params={"month": "2026-03"}).status_code == 404
    assert viewer.get("/stats/work", params={"kind": "everything"}).status_code == 400
    with console.sessions() as db:
        entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "stats_report_export"))
    assert entry is not None and entry.actor == "viewer1" and '"csv"' in entry.detail

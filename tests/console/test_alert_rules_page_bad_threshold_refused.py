"""The 告警规则 page: an admin's change is stored, audited and used by the next heartbeat at
once; a bad threshold gets the page back with a Chinese message beside the field, and nothing
is saved or audited."""

from __future__ import annotations

import json

import pytest
import requests
from sqlalchemy import select

from kiosk.console.models import Alert, AlertSetting, AuditEntry
from tests.console.helpers import Console

GOOD = {"paper_alert_at": "low", "offline_after_minutes": "3", "outbox_backlog": "500",
        "cert_expiry_days": "30", "flap_window_minutes": "5"}


def test_admin_change_is_stored_audited_and_used_at_once(console: Console) -> None:
    console.add_user("admin1", "admin")
    token = console.enrol("T-1")
    browser = console.login("admin1")
    page = browser.get("/settings/alerts")
    assert page.status_code == 200
    assert "告警规则" in page.text and 'value="500"' in page.text  # the default backlog
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    beat = {"app_version": "0.1.0", "outbox_depth": 150,
            "devices": {"printer": {"state": "ready", "supplies": "ok"}}}
    url = f"{console.url}/api/v1/terminals/T-1/heartbeat"
    assert http.post(url, json=beat, timeout=10).status_code == 200
    saved = browser.post("/settings/alerts", {**GOOD, "outbox_backlog": "100"})
    assert saved.status_code == 200 and "已保存" in saved.text
    assert 'value="100"' in saved.text
    assert http.post(url, json=beat, timeout=10).status_code == 200
    with console.sessions() as db:
        stored = {s.name: s.value for s in db.scalars(select(AlertSetting))}
        assert stored["outbox_backlog"] == "100" and stored["paper_alert_at"] == "low"
        entry = db.scalars(select(AuditEntry).where(
            AuditEntry.action == "alert_rules_change")).one()
        assert entry.actor == "admin1"
        assert json.loads(entry.detail) == {"outbox_backlog": [500, 100]}
        assert [a.kind for a in db.scalars(select(Alert))] == ["outbox_backlog"]
    again = browser.post("/settings/alerts", {**GOOD, "outbox_backlog": "100"})
    assert "没有改动" in again.text
    with console.sessions() as db:  # an unchanged form writes no audit row
        assert len(db.scalars(select(AuditEntry).where(
            AuditEntry.action == "alert_rules_change")).all()) == 1
    assert "修改告警规则" in browser.get("/audit").text


BAD = {
    "letters": ("offline_after_minutes", "abc", "离线判定必须是整数（2 到 1440 分钟）。"),
    "negative": ("outbox_backlog", "-5", "待发数据积压必须是整数（1 到 1000000 条）。"),
    "too small": ("offline_after_minutes", "1", "离线判定必须在 2 到 1440 分钟之间。"),
    "too large": ("cert_expiry_days", "9999", "证书到期提醒必须在 1 到 365 天之间。"),
    "empty": ("flap_window_minutes", "", "请填写抖动抑制。"),
    "full-width digits": ("cert_expiry_days", "３０", "证书到期提醒必须是整数（1 到 365 天）。"),
    "decimal": ("flap_window_minutes", "2.5", "抖动抑制必须是整数（0 到 1440 分钟）。"),
    "unknown paper level": ("paper_alert_at", "half", "请选择“纸张将尽时”或“纸张用完时”。"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_threshold_refused_with_a_chinese_message(console: Console, case: str) -> None:
    field, value, message = BAD[case]
    console.add_user("admin1", "admin")
    browser = console.login("admin1")
    answer = browser.post("/settings/alerts", {**GOOD, "outbox_backlog": "42", field: value})
    assert answer.status_code == 400
    assert "有设置不正确，没有保存任何更改" in answer.text
    assert f'id="problem-{field}">{message}</p>' in answer.text
    assert "Traceback" not in answer.text
    with console.sessions() as db:
        assert db.scalars(select(AlertSetting)).all() == []  # not even the good fields
        assert db.scalars(select(AuditEntry).where(
            AuditEntry.action == "alert_rules_change")).all() == []
    assert 'value="500"' in browser.get("/settings/alerts").text


def test_missing_csrf_token_changes_nothing(console: Console) -> None:
    console.add_user("admin1", "admin")
    browser = console.login("admin1")
    answer = browser.post("/settings/alerts", {**GOOD, "outbox_backlog": "42"}, csrf=False)
    assert answer.status_code == 403
    with console.sessions() as db:
        assert db.scalars(select(AlertSetting)).all() == []

"""Admins read and export the audit log: every step is there with who, what, when and from
where; the export is itself recorded; a formula planted in a field is neutralised."""

from __future__ import annotations

import csv
import io

from tests.console.helpers import Console


def test_export_has_every_step_and_is_itself_audited(console: Console) -> None:
    console.add_user("admin1", "admin")
    console.enrol("T-1")
    import requests

    from tests.console.helpers import Browser

    Browser(console.url, requests.Session()).login("=SUM(1+1)", "guess-123456")
    admin = console.login("admin1")
    refused = admin.post("/users", {"username": "=HYPERLINK", "display_name": "x",
                                    "role": "viewer", "password": "pass-word-123"})
    assert refused.status_code == 400 and "输入有误" in refused.text
    admin.post("/users", {"username": "li_si", "display_name": "李四", "role": "viewer",
                          "password": "pass-word-123"})
    admin.post("/terminals/T-1/commands", {"kind": "restart"})
    answer = admin.get("/audit.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    text = answer.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    actions = [r["action"] for r in rows]
    assert actions == ["login_failed", "login", "user_create", "command_restart",
                       "audit_export"]
    assert all(r["actor"] == "admin1" and r["source_ip"] == "127.0.0.1" and r["at"]
               for r in rows[1:])
    assert rows[0]["actor"] == "'=SUM(1+1)"  # not a formula in a spreadsheet
    assert rows[2]["target"] == "li_si" and '"new_role": "viewer"' in rows[2]["detail"]
    assert "pass-word-123" not in text


def test_approver_reads_but_cannot_export(console: Console) -> None:
    console.add_user("auditor", "approver")
    approver = console.login("auditor")
    page = approver.get("/audit")
    assert page.status_code == 200 and "操作日志" in page.text
    assert "导出 CSV" not in page.text
    assert approver.get("/audit.csv").status_code == 403

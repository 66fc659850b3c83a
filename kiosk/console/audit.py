"""The audit log: every change a person makes, appended in the same transaction as the change.

Rows are never updated or deleted: the ORM refuses (models._refuse_audit_changes) and so does
the database (triggers in the first migration). Admins read it on /audit and export it as CSV.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from kiosk.console.models import AuditEntry

#: Chinese names of the recorded actions (the page shows both; the CSV keeps the codes).
ACTION_LABELS = {"login": "登录", "login_failed": "登录失败", "logout": "退出登录",
                 "user_create": "添加用户", "user_disable": "停用用户",
                 "terminal_enrol": "登记终端", "terminal_rekey": "重新签发凭据",
                 "terminal_revoke": "吊销终端", "alert_acknowledge": "确认告警",
                 "alert_resolve": "关闭告警", "command_out_of_service": "远程暂停服务",
                 "command_return_to_service": "远程恢复服务", "command_restart": "远程重启",
                 "command_announce": "发布通知公告", "command_diagnostics": "收集诊断包",
                 "diagnostics_download": "下载诊断包",
                 "audit_export": "导出操作日志", "webhook_add": "添加告警通知",
                 "webhook_disable": "停用告警通知", "signing_key_create": "创建签名密钥",
                 "release_upload": "上传更新包", "release_refused": "更新包未通过检查",
                 "release_sign": "签署更新包", "release_sign_refused": "签署被拒绝",
                 "release_publish": "发布更新包", "release_publish_refused": "发布被拒绝",
                 "repository_two_person": "启用双人签名",
                 "bad_rating_status": "差评整改状态", "stats_export": "导出统计"}
CSV_COLUMNS = ("id", "at", "actor", "role", "action", "target", "detail", "source_ip")


def record(db: Session, *, at: datetime, actor: str, role: str, action: str, target: str = "",
           source_ip: str = "", **detail: Any) -> AuditEntry:
    """Add one audit row to the session's transaction (committed with the change itself)."""
    entry = AuditEntry(at=at, actor=actor, role=role, action=action, target=target,
                       detail=json.dumps(detail, ensure_ascii=False, sort_keys=True)
                       if detail else "", source_ip=source_ip)
    db.add(entry)
    return entry


def to_csv(entries: Iterable[AuditEntry]) -> str:
    """The rows as CSV (UTF-8 with a BOM so that spreadsheet programs read the Chinese)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        writer.writerow([_neutralise(str(cell)) for cell in (
            e.id, e.at.isoformat(), e.actor, e.role, e.action, e.target, e.detail, e.source_ip)])
    return out.getvalue()


def neutralise(cell: str) -> str:
    """Stop a spreadsheet from reading a cell as a formula (CSV injection)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@") else cell


_neutralise = neutralise

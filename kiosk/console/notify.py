"""Alert notifications to group-robot webhooks (企业微信 WeCom, 钉钉 DingTalk).

A new alert adds one `Notification` row per active webhook in the same transaction (an
outbox: nothing is lost if the console stops). A background loop in every console process
delivers due rows; on PostgreSQL it locks them with SKIP LOCKED, so two processes never send
the same row. A failed delivery is retried after `base`, 3x`base`, 9x`base`... seconds, up to
`MAX_ATTEMPTS`, then marked failed; each attempt's result is kept (the delivery log page).

Both robots take the same JSON text message, `{"msgtype": "text", "text": {"content": …}}`,
and answer `{"errcode": 0, …}` when they accepted it. The text names the terminal, its site,
the alert and the time: no personal data exists at the console to leak.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kiosk.console.db import as_utc
from kiosk.console.models import Alert, Notification, Terminal, Webhook

WEBHOOK_KINDS = {"wecom": "企业微信群机器人", "dingtalk": "钉钉群机器人"}
#: Attempts before a notification is given up (and shown as failed on the delivery log).
MAX_ATTEMPTS = 5
#: One webhook call may take this long before it counts as failed.
WEBHOOK_TIMEOUT_SECONDS = 5.0
#: Rows delivered per round of the loop.
BATCH = 20
_CHINA = timezone(timedelta(hours=8))

Poster = Callable[[str, dict[str, Any]], requests.Response]


def _post(url: str, body: dict[str, Any]) -> requests.Response:
    return requests.post(url, json=body, timeout=WEBHOOK_TIMEOUT_SECONDS)


def alert_text(alert: Alert, terminal: Terminal, now: datetime) -> str:
    """The message a group robot posts."""
    from kiosk.console.device_names import device_label
    from kiosk.console.fleet import ALERT_LABELS

    what = ALERT_LABELS.get(alert.kind, alert.kind)
    if alert.device:
        what += f"（{device_label(alert.device)}）"
    when = as_utc(now).astimezone(_CHINA).strftime("%Y-%m-%d %H:%M")
    return (f"【自助终端告警】{terminal.id} {terminal.district} · {terminal.site}："
            f"{what}。{when}（北京时间）")[:500]


def enqueue(db: Session, alert: Alert, terminal: Terminal, now: datetime) -> int:
    """Queue the alert for every active webhook; returns how many rows were added."""
    hooks = list(db.scalars(select(Webhook).where(Webhook.active.is_(True))))
    if not hooks:
        return 0
    db.flush()  # the alert's id
    text = alert_text(alert, terminal, now)
    for hook in hooks:
        db.add(Notification(webhook_id=hook.id, alert_id=alert.id, text=text, state="pending",
                            attempts=0, next_attempt_at=now, last_result="", created_at=now))
    return len(hooks)


def payload(text: str) -> dict[str, Any]:
    """The robots' text message."""
    return {"msgtype": "text", "text": {"content": text}}


def _accepted(response: requests.Response) -> tuple[bool, str]:
    if response.status_code != 200:
        return False, f"HTTP {response.status_code}"
    try:
        data = response.json()
    except ValueError:
        return False, "HTTP 200, not JSON"
    code = data.get("errcode") if isinstance(data, dict) else None
    if code == 0:
        return True, "ok"
    message = str(data.get("errmsg", "")) if isinstance(data, dict) else ""
    return False, f"errcode {code}: {message}"[:200]


def deliver_due(sessions: sessionmaker[Session], now: datetime, retry_base_seconds: float,
                post: Poster = _post) -> int:
    """Deliver the notifications that are due; returns how many were accepted."""
    delivered = 0
    with sessions() as db:
        rows = list(db.scalars(
            select(Notification).where(Notification.state == "pending",
                                       Notification.next_attempt_at <= now)
            .order_by(Notification.id).limit(BATCH).with_for_update(skip_locked=True)))
        for row in rows:
            hook = db.get(Webhook, row.webhook_id)
            if hook is None or not hook.active:
                row.state = "cancelled"
                continue
            row.attempts += 1
            try:
                ok, result = _accepted(post(hook.url, payload(row.text)))
            except requests.RequestException as exc:
                ok, result = False, type(exc).__name__
            row.last_result = result
            if ok:
                row.state = "delivered"
                row.delivered_at = now
                delivered += 1
            elif row.attempts >= MAX_ATTEMPTS:
                row.state = "failed"
            else:
                delay = retry_base_seconds * (3 ** (row.attempts - 1))
                row.next_attempt_at = now + timedelta(seconds=delay)
        db.commit()
    return delivered

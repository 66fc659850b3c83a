"""Each event and usage record a terminal delivers is stored once (docs/adr/0701).

The terminal's durable queue gives every row an id and sends it again until the console's
answer arrives; `not_seen` keeps the ones whose id this terminal has not delivered before and
notes their ids in the same transaction. `prune` forgets ids older than the longest time a
terminal holds a row (its queue is bounded; 90 days is far beyond any outage it buffers).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kiosk.console.models import DeliveredId, Terminal
from kiosk.console.wire import EventIn, UsageIn

#: Delivered ids are remembered this long.
RETENTION_DAYS = 90
Item = TypeVar("Item", EventIn, UsageIn)


def not_seen(db: Session, terminal: Terminal, items: list[Item], moment: datetime
             ) -> list[Item]:
    """The items whose id this terminal has not delivered before (items without an id always
    count); their ids are added to the session."""
    ids = {item.id for item in items if item.id}
    seen = set(db.scalars(select(DeliveredId.uid).where(
        DeliveredId.terminal_id == terminal.id, DeliveredId.uid.in_(ids)))) if ids else set()
    fresh = []
    for item in items:
        if item.id:
            if item.id in seen:
                continue
            seen.add(item.id)
            db.add(DeliveredId(terminal_id=terminal.id, uid=item.id, received_at=moment))
        fresh.append(item)
    return fresh


def prune(db: Session, moment: datetime) -> int:
    """Forget ids delivered more than `RETENTION_DAYS` ago; how many were removed."""
    result = db.execute(delete(DeliveredId).where(
        DeliveredId.received_at < moment - timedelta(days=RETENTION_DAYS)))
    return int(getattr(result, "rowcount", 0) or 0)

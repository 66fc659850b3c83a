"""视频帮办 pages: the staff member's desk (queue and call on one page, so the signalling socket
lives through the whole shift) and 帮办记录 with the month's figures (docs/adr/0752).
"""

from __future__ import annotations

import json
import re
from datetime import datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from kiosk.console import stats
from kiosk.console.roles import Permission
from kiosk.console.routes.deps import NEEDS, Actor, get_db, now
from kiosk.console.video import records
from kiosk.console.video.messages import MAX_HINT_CHARS, MAX_NOTE_CHARS, QUEUE_PATTERN

router = APIRouter()
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_QUEUE = re.compile(QUEUE_PATTERN)


@router.get("/video")
def desk(request: Request, queues: str = "",
         actor: Actor = Depends(NEEDS[Permission.HELP_VIDEO])) -> Response:
    """The 视频帮办 desk: waiting residents, take the next call, the call itself."""
    chosen = [q.strip() for q in queues.split(",") if q.strip()][:20]
    if not all(_QUEUE.match(q) for q in chosen):
        raise HTTPException(400)
    settings = request.app.state.settings
    return request.app.state.templates.TemplateResponse(request, "video.html", {
        "actor": actor, "csrf": actor.session.csrf_token, "queues": ",".join(chosen),
        "hub_here": settings.video_hub or request.app.state.video_relay is not None,
        "hint_max": MAX_HINT_CHARS, "note_max": MAX_NOTE_CHARS,
        "ice_servers": json.dumps(list(settings.video_ice_servers)),
        "outcomes": {k: v for k, v in records.OUTCOME_LABELS.items() if k}})


@router.get("/video/records")
def records_page(request: Request, month: str = "",
                 actor: Actor = Depends(NEEDS[Permission.VIEW_HELP_RECORDS]),
                 db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """帮办记录: the month's calls (no resident data) and its figures."""
    if month and not _MONTH.match(month):
        raise HTTPException(400)
    month = month or stats.this_month(moment)
    start, end = stats.Filters(month).bounds()
    return request.app.state.templates.TemplateResponse(request, "video_records.html", {
        "actor": actor, "csrf": actor.session.csrf_token, "month": month,
        "summary": records.summary(db, start, end), "calls": records.recent(db, start, end),
        "outcomes": records.OUTCOME_LABELS, "reasons": records.REASON_LABELS})

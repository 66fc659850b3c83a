"""Diagnostics bundles on a terminal's page (docs/adr/0702): everyone who sees the terminal
sees that bundles arrived; only roles that operate terminals (运维, 管理员) download them, and
each download is in the audit log (who, which bundle, when, from where)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from kiosk.console import audit
from kiosk.console.models import DiagnosticsBundle
from kiosk.console.roles import Permission, allows
from kiosk.console.routes.deps import NEEDS, Actor, get_db, now

router = APIRouter()
LISTED = 20


@router.get("/terminals/{terminal_id}/diagnostics")
def diagnostics_list(request: Request, terminal_id: str,
                     actor: Actor = Depends(NEEDS[Permission.VIEW_FLEET]),
                     db: Session = Depends(get_db)) -> Response:
    """The terminal's latest bundles (a fragment the terminal page loads)."""
    rows = list(db.execute(
        select(DiagnosticsBundle.id, DiagnosticsBundle.command_id, DiagnosticsBundle.size,
               DiagnosticsBundle.sha256, DiagnosticsBundle.received_at)
        .where(DiagnosticsBundle.terminal_id == terminal_id)
        .order_by(DiagnosticsBundle.id.desc()).limit(LISTED)))
    return request.app.state.templates.TemplateResponse(request, "diagnostics.html", {
        "terminal_id": terminal_id, "bundles": rows,
        "can_download": allows(actor.user.role, Permission.OPERATE)})


@router.get("/terminals/{terminal_id}/diagnostics/{bundle_id}.zip")
def diagnostics_download(terminal_id: str, bundle_id: int,
                         actor: Actor = Depends(NEEDS[Permission.OPERATE]),
                         db: Session = Depends(get_db),
                         moment: datetime = Depends(now)) -> Response:
    """One bundle as a zip download; audited first."""
    bundle = db.get(DiagnosticsBundle, bundle_id)
    if bundle is None or bundle.terminal_id != terminal_id:
        raise HTTPException(404)
    audit.record(db, at=moment, actor=actor.name, role=actor.user.role,
                 action="diagnostics_download", target=terminal_id, source_ip=actor.source_ip,
                 bundle_id=bundle.id, sha256=bundle.sha256, size=bundle.size)
    db.commit()
    stamp = bundle.received_at.strftime("%Y%m%d-%H%M%S")
    return Response(bundle.content, media_type="application/zip", headers={
        "Content-Disposition":
            f'attachment; filename="diagnostics-{terminal_id}-{stamp}-{bundle.id}.zip"'})

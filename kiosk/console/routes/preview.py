"""A release's preview: the screenshots `kiosk tour --bundle` renders from its bundle, so an
approver sees what residents will see (kiosk/console/preview.py, docs/adr/0732)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from kiosk.console import preview
from kiosk.console.models import Release
from kiosk.console.roles import Permission
from kiosk.console.routes.deps import NEEDS, Actor, get_db

router = APIRouter()
#: Release states whose bundle passed the check (only those are rendered).
PREVIEWABLE = ("awaiting", "published")


def _release(db: Session, release_id: int) -> Release:
    release = db.get(Release, release_id)
    if release is None:
        raise HTTPException(404)
    return release


@router.get("/releases/{release_id}/preview")
def preview_page(request: Request, release_id: int,
                 actor: Actor = Depends(NEEDS[Permission.VIEW_RELEASES]),
                 db: Session = Depends(get_db)) -> Response:
    """The screenshot set of a release (rendering starts at the first visit)."""
    release = _release(db, release_id)
    release_dir = Path(request.app.state.settings.release_dir)
    if release.state in PREVIEWABLE:
        preview.start(release_dir, release.sha256)
    found = preview.status(release_dir, release.sha256)
    return request.app.state.templates.TemplateResponse(request, "preview.html", {
        "actor": actor, "release": release, "preview": found,
        "previewable": release.state in PREVIEWABLE})


@router.get("/releases/{release_id}/preview/{name}")
def preview_shot(request: Request, release_id: int, name: str,
                 actor: Actor = Depends(NEEDS[Permission.VIEW_RELEASES]),
                 db: Session = Depends(get_db)) -> Response:
    """One screenshot of a finished preview."""
    release = _release(db, release_id)
    path = preview.shot_path(Path(request.app.state.settings.release_dir), release.sha256, name)
    if path is None:
        raise HTTPException(404)
    return FileResponse(path, media_type="image/png")

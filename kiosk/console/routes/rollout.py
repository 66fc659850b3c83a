"""Rollout pages: central terminal groups, widening a published release (pilot group ->
percentage -> all), pause and resume, the failure threshold, live adoption, and rollback as a
new version (docs/adr/0721-rollout-stages-groups-adoption.md).

Every change is an audit row in the same transaction; every stage is signed into the TUF
repository's rollout role by :mod:`kiosk.console.rollout` before it is recorded.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.console import audit, releases, rollout
from kiosk.console.models import Release, Rollout, Terminal
from kiosk.console.roles import Permission
from kiosk.console.routes.deps import NEEDS, Actor, get_db, now
from kiosk.console.routes.releases import _get_release, _release_page, _repo, _settings
from kiosk.updates.bundle import BundleError, build_archive, unpack_archive
from kiosk.updates.repository import AdminError
from kiosk.updates.threshold import prepare_release

router = APIRouter()


def _render_groups(request: Request, actor: Actor, db: Session, message: str = "",
                   status_code: int = 200) -> Response:
    terminals = list(db.scalars(select(Terminal).where(Terminal.revoked.is_(False))
                                .order_by(Terminal.id).limit(2000)))
    memberships = {t.id: rollout.groups_of(db, t.id) for t in terminals}
    return request.app.state.templates.TemplateResponse(request, "groups.html", {
        "actor": actor, "csrf": actor.session.csrf_token, "terminals": terminals,
        "memberships": memberships, "groups": rollout.all_groups(db), "message": message},
        status_code=status_code)


@router.get("/groups")
def groups_page(request: Request, actor: Actor = Depends(NEEDS[Permission.VIEW_RELEASES]),
                db: Session = Depends(get_db)) -> Response:
    """Terminal groups (the pilot groups of staged rollouts), kept centrally."""
    return _render_groups(request, actor, db)


@router.post("/groups")
def set_groups(request: Request, terminal_id: str = Form(..., max_length=64),
               groups: str = Form("", max_length=1000),
               actor: Actor = Depends(NEEDS[Permission.MANAGE_ROLLOUT]),
               db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """Replace one terminal's groups (audited)."""
    terminal = db.get(Terminal, terminal_id.strip())
    if terminal is None or terminal.revoked:
        return _render_groups(request, actor, db, "没有这台终端。", 400)
    try:
        names = rollout.parse_groups(groups)
    except rollout.RolloutRefused as exc:
        return _render_groups(request, actor, db, str(exc), 400)
    before = rollout.groups_of(db, terminal.id)
    rollout.set_groups(db, terminal.id, names)
    audit.record(db, at=moment, actor=actor.name, role=actor.user.role, action="terminal_groups",
                 target=terminal.id, source_ip=actor.source_ip, before=before, after=names)
    db.commit()
    return RedirectResponse("/groups", status_code=303)


@router.get("/releases/{release_id}/adoption")
def adoption(request: Request, release_id: int,
             actor: Actor = Depends(NEEDS[Permission.VIEW_RELEASES]),
             db: Session = Depends(get_db)) -> Response:
    """The live adoption table of a release (htmx polls it)."""
    release = _get_release(db, release_id)
    row = db.get(Rollout, release.id) or rollout.draft(release.id)
    rows = rollout.adoption_rows(db, release, row)
    return request.app.state.templates.TemplateResponse(request, "release_adoption.html", {
        "actor": actor, "release": release, "rollout": row, "rows": rows,
        "counts": rollout.counts(rows), "labels": rollout.ADOPTION_LABELS,
        "stage_labels": rollout.STAGE_LABELS})


def _change(request: Request, actor: Actor, db: Session, release: Release, moment: datetime,
            action: str, fn: Callable[[], None], **detail: object) -> Response:
    try:
        fn()
    except rollout.RolloutRefused as exc:
        db.rollback()
        audit.record(db, at=moment, actor=actor.name, role=actor.user.role,
                     action=f"{action}_refused", target=f"release {release.id}",
                     source_ip=actor.source_ip, reason=str(exc), **detail)
        db.commit()
        return _release_page(request, actor, db, release, str(exc), 400)
    audit.record(db, at=moment, actor=actor.name, role=actor.user.role, action=action,
                 target=f"release {release.id}", source_ip=actor.source_ip,
                 version=release.version, **detail)
    db.commit()
    return RedirectResponse(f"/releases/{release.id}", status_code=303)


@router.post("/releases/{release_id}/rollout")
def widen(request: Request, release_id: int, stage: str = Form(..., max_length=16),
          group: str = Form("", max_length=64), percent: int = Form(0, ge=0, le=100),
          actor: Actor = Depends(NEEDS[Permission.MANAGE_ROLLOUT]),
          db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """Widen the rollout to a pilot group, a percentage of the fleet, or everyone (audited)."""
    release = _get_release(db, release_id)
    repo = _repo(request)

    def run() -> None:
        row = rollout.rollout_of(db, release, moment)
        rollout.advance(db, repo, release, row, stage, moment, group=group.strip(),
                        percent=percent)
    return _change(request, actor, db, release, moment, "rollout_stage", run, stage=stage,
                   group=group.strip(), percent=percent)


@router.post("/releases/{release_id}/pause")
def pause(request: Request, release_id: int,
          actor: Actor = Depends(NEEDS[Permission.MANAGE_ROLLOUT]),
          db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """Stop the rollout from widening (audited)."""
    release = _get_release(db, release_id)

    repo = _repo(request)

    def run() -> None:
        row = rollout.rollout_of(db, release, moment)
        rollout.pause(row, f"由 {actor.name} 暂停", moment)
        rollout.withdraw(db, repo, release, row)
    return _change(request, actor, db, release, moment, "rollout_pause", run)


@router.post("/releases/{release_id}/resume")
def resume(request: Request, release_id: int,
           actor: Actor = Depends(NEEDS[Permission.MANAGE_ROLLOUT]),
           db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """Let a paused rollout widen again; its automatic-pause alert is resolved (audited)."""
    release = _get_release(db, release_id)

    repo = _repo(request)

    def run() -> None:
        rollout.resume(db, release, rollout.rollout_of(db, release, moment), moment, repo)
    return _change(request, actor, db, release, moment, "rollout_resume", run)


@router.post("/releases/{release_id}/threshold")
def threshold(request: Request, release_id: int, max_failures: int = Form(..., ge=1, le=10000),
              max_failure_percent: int = Form(..., ge=1, le=100),
              actor: Actor = Depends(NEEDS[Permission.MANAGE_ROLLOUT]),
              db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """Set when the rollout pauses by itself (audited)."""
    release = _get_release(db, release_id)

    def run() -> None:
        row = rollout.rollout_of(db, release, moment)
        row.max_failures, row.max_failure_percent = max_failures, max_failure_percent
        row.updated_at = moment
    return _change(request, actor, db, release, moment, "rollout_threshold", run,
                   max_failures=max_failures, max_failure_percent=max_failure_percent)


@router.post("/releases/{release_id}/rollback")
def rollback(request: Request, release_id: int,
             actor: Actor = Depends(NEEDS[Permission.UPLOAD_RELEASE]),
             db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """Make a NEW release holding this published release's content at the next version; it
    needs two signatures like any other (audited)."""
    source = _get_release(db, release_id)
    if source.state != "published":
        return _release_page(request, actor, db, source, "只能回滚到已发布的版本。", 400)
    settings = _settings(request)
    repo = _repo(request)
    try:
        version = repo.latest_version() + 1
        with tempfile.TemporaryDirectory(prefix="console-rollback-") as tmp:
            content = Path(tmp) / "content"
            old = unpack_archive(Path(settings.release_dir) / f"{source.sha256}.tar.gz", content)
            archive = Path(tmp) / f"flows-{version}.tar.gz"
            build_archive(content, archive, version, old.min_app_version)
            with archive.open("rb") as handle:
                stored = releases.store_upload(handle, Path(settings.release_dir),
                                               settings.max_bundle_bytes)
        found = releases.inspect(stored.path)
        if found.problems or found.manifest is None:
            raise AdminError("; ".join(found.problems[:3]) or "bundle unreadable")
        base, old_services = releases.published_services(repo)
        diff = releases.compare(found.services, old_services, base)
        prepared = prepare_release(repo, stored.path, [])
    except (AdminError, BundleError, OSError, releases.UploadRefused) as exc:
        audit.record(db, at=moment, actor=actor.name, role=actor.user.role,
                     action="release_rollback_refused", target=f"release {source.id}",
                     source_ip=actor.source_ip, reason=str(exc)[:300])
        db.commit()
        return _release_page(request, actor, db, source, f"无法生成回滚版本：{exc}", 400)
    release = Release(version=version, sha256=stored.sha256, size=stored.size,
                      audiences="staged", state="awaiting", problems=[], diff=diff,
                      prepared=prepared.decode("utf-8"), uploaded_by=actor.name,
                      uploaded_at=moment)
    db.add(release)
    db.flush()
    audit.record(db, at=moment, actor=actor.name, role=actor.user.role, action="release_rollback",
                 target=f"release {release.id}", source_ip=actor.source_ip,
                 version=version, content_of=source.version)
    db.commit()
    return RedirectResponse(f"/releases/{release.id}", status_code=303)

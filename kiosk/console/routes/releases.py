"""Release pages: upload a bundle, see its check report and what it changes, sign it with a
personal key, publish it once two people have signed (docs/adr/0621, docs/adr/0620).

Every step is written to the audit log in the same transaction as the change.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from securesystemslib.signer import Signature
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from kiosk.console import audit, releases, rollout
from kiosk.console.models import (
    AuditEntry,
    Release,
    ReleaseSignature,
    Rollout,
    SigningKey,
    User,
)
from kiosk.console.passwords import verify_password
from kiosk.console.roles import Permission, Role
from kiosk.console.routes.deps import NEEDS, Actor, get_db, now
from kiosk.console.settings import ConsoleSettings
from kiosk.updates.repository import AdminError, Audience, Repository
from kiosk.updates.threshold import (
    MIN_PASSPHRASE_CHARS,
    TARGETS_THRESHOLD,
    PersonalKey,
    new_personal_key,
    prepare_release,
    publish_release,
    sign_release,
    unlock,
    use_personal_targets_keys,
)

router = APIRouter()
#: The upload field (a module-level default: ruff's B008 knows Form and Depends, not File).
_BUNDLE_FIELD = File(...)
#: The audience of a release that reaches terminals only through its rollout stages (ADR 0721).
STAGED = "staged"
STATE_LABELS = {"refused": "未通过检查", "awaiting": "待签署", "published": "已发布",
                "stale": "已失效（请重新上传）"}


#: Wrong signing passphrases a person may type within `PASSPHRASE_WINDOW` (counted from the
#: audit log, so every console process sees the same count).
MAX_WRONG_PASSPHRASES = 5
PASSPHRASE_WINDOW = timedelta(minutes=15)
WRONG_PASSPHRASE = "签名口令不正确。"
TOO_MANY = "签名口令错误次数过多，请 15 分钟后再试。"


def _recent_wrong_passphrases(db: Session, username: str, moment: datetime) -> int:
    rows = db.scalars(select(AuditEntry.detail).where(
        AuditEntry.actor == username, AuditEntry.action == "release_sign_refused",
        AuditEntry.at >= moment - PASSPHRASE_WINDOW))
    return sum(1 for detail in rows if WRONG_PASSPHRASE in detail)


def _settings(request: Request) -> ConsoleSettings:
    settings: ConsoleSettings = request.app.state.settings
    return settings


def _repo(request: Request) -> Repository:
    settings = _settings(request)
    return Repository(Path(settings.update_repo_dir), Path(settings.update_keys_dir))


def _targets_policy(repo: Repository) -> tuple[int, list[str]]:
    """(threshold, key ids) of the targets role; (0, []) without a repository."""
    try:
        role = repo.root().signed.roles["targets"]
    except AdminError:
        return 0, []
    return role.threshold, list(role.keyids)


def _list_page(request: Request, actor: Actor, db: Session, message: str = "",
               status_code: int = 200) -> Response:
    rows = list(db.scalars(select(Release).order_by(Release.id.desc()).limit(100)))
    threshold, keyids = _targets_policy(_repo(request))
    keys = list(db.scalars(select(SigningKey)))
    mine = next((k for k in keys if k.user_id == actor.user.id), None)
    return request.app.state.templates.TemplateResponse(request, "releases.html", {
        "actor": actor, "csrf": actor.session.csrf_token, "releases": rows,
        "state_labels": STATE_LABELS, "message": message, "threshold": threshold,
        "enrolled_keys": len(keys), "keys_in_repo": len(set(keyids) & {k.keyid for k in keys}),
        "my_key": mine, "my_key_in_repo": bool(mine and mine.keyid in keyids),
        "min_passphrase": MIN_PASSPHRASE_CHARS,
        "limit_mb": _settings(request).max_bundle_bytes // (1024 * 1024)},
        status_code=status_code)


@router.get("/releases")
def releases_page(request: Request, actor: Actor = Depends(NEEDS[Permission.VIEW_RELEASES]),
                  db: Session = Depends(get_db)) -> Response:
    """Uploaded releases, the upload form, and the two-person signing status."""
    return _list_page(request, actor, db)


@router.post("/releases")
def upload_release(request: Request, bundle: UploadFile = _BUNDLE_FIELD,
                   audience: str = Form("staged", max_length=100),
                   actor: Actor = Depends(NEEDS[Permission.UPLOAD_RELEASE]),
                   db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """Store, check and compare an uploaded bundle; prepare it for signing (audited)."""
    settings = _settings(request)
    staged = audience.strip() in ("", STAGED)
    try:
        targets = [] if staged else [Audience.parse(audience.strip())]
    except AdminError:
        return _list_page(request, actor, db, "发布范围无效：填写 staged（分阶段推送）、all、"
                          "group:分组名 或 terminal:终端编号。", 400)
    try:
        stored = releases.store_upload(bundle.file, Path(settings.release_dir),
                                       settings.max_bundle_bytes)
    except releases.UploadRefused as exc:
        audit.record(db, at=moment, actor=actor.name, role=actor.user.role,
                     action="release_refused", source_ip=actor.source_ip, reason=str(exc))
        db.commit()
        return _list_page(request, actor, db, str(exc), 400)
    found = releases.inspect(stored.path)
    repo = _repo(request)
    problems = list(found.problems)
    diff: dict[str, Any] = {}
    prepared: bytes | None = None
    if found.manifest is not None and not problems:
        base, old = releases.published_services(repo)
        diff = releases.compare(found.services, old, base)
        try:
            prepared = prepare_release(repo, stored.path, targets)
        except AdminError as exc:
            problems = [f"repository: {exc}"]
    release = Release(version=found.manifest.version if found.manifest else 0,
                      sha256=stored.sha256, size=stored.size,
                      audiences=STAGED if staged else str(targets[0]),
                      state="awaiting" if prepared else "refused", problems=problems,
                      diff=diff, prepared=prepared.decode("utf-8") if prepared else None,
                      uploaded_by=actor.name, uploaded_at=moment)
    db.add(release)
    db.flush()
    audit.record(db, at=moment, actor=actor.name, role=actor.user.role,
                 action="release_upload" if prepared else "release_refused",
                 target=f"release {release.id}", source_ip=actor.source_ip,
                 version=release.version, sha256=stored.sha256, problems=len(problems),
                 removed=[s for s, _ in diff.get("removed", [])])
    db.commit()
    return RedirectResponse(f"/releases/{release.id}", status_code=303)


def _release_page(request: Request, actor: Actor, db: Session, release: Release,
                  message: str = "", status_code: int = 200) -> Response:
    sigs = list(db.scalars(select(ReleaseSignature).where(
        ReleaseSignature.release_id == release.id).order_by(ReleaseSignature.id)))
    threshold, _ = _targets_policy(_repo(request))
    plan = db.get(Rollout, release.id) or rollout.draft(release.id)
    return request.app.state.templates.TemplateResponse(request, "release.html", {
        "rollout": plan, "stage_labels": rollout.STAGE_LABELS,
        "groups": rollout.all_groups(db),
        "actor": actor, "csrf": actor.session.csrf_token, "release": release,
        "state_labels": STATE_LABELS, "rows": releases.problem_rows(release.problems),
        "diff": release.diff, "signatures": sigs, "message": message,
        "signed_by_me": any(s.user_id == actor.user.id for s in sigs),
        "needed": max(threshold, TARGETS_THRESHOLD)}, status_code=status_code)


def _get_release(db: Session, release_id: int) -> Release:
    release = db.get(Release, release_id)
    if release is None:
        raise HTTPException(404)
    return release


@router.get("/releases/{release_id}")
def release_page(request: Request, release_id: int,
                 actor: Actor = Depends(NEEDS[Permission.VIEW_RELEASES]),
                 db: Session = Depends(get_db)) -> Response:
    """One release: check report, what it adds/changes/removes, signatures."""
    return _release_page(request, actor, db, _get_release(db, release_id))


def _refuse(request: Request, actor: Actor, db: Session, release: Release, moment: datetime,
            action: str, message: str) -> Response:
    audit.record(db, at=moment, actor=actor.name, role=actor.user.role, action=action,
                 target=f"release {release.id}", source_ip=actor.source_ip, reason=message)
    db.commit()
    return _release_page(request, actor, db, release, message, 400)


@router.post("/releases/{release_id}/sign")
def sign(request: Request, release_id: int, passphrase: str = Form(..., max_length=200),
         confirm_removal: str = Form("", max_length=10),
         actor: Actor = Depends(NEEDS[Permission.SIGN_RELEASE]),
         db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """Sign a release with the actor's own key, unlocked by their passphrase (audited)."""
    release = _get_release(db, release_id)
    action = "release_sign_refused"
    if release.state != "awaiting" or release.prepared is None:
        return _refuse(request, actor, db, release, moment, action, "此更新包不能再签署。")
    if release.diff.get("removed") and confirm_removal != "yes":
        return _refuse(request, actor, db, release, moment, action,
                       "此更新包会移除事项：请勾选“我确认移除这些事项”后再签署。")
    key = db.scalar(select(SigningKey).where(SigningKey.user_id == actor.user.id))
    if key is None:
        return _refuse(request, actor, db, release, moment, action,
                       "您还没有签名密钥，请先在“更新发布”页面创建。")
    if db.scalar(select(ReleaseSignature).where(ReleaseSignature.release_id == release.id,
                                                ReleaseSignature.user_id == actor.user.id)):
        return _refuse(request, actor, db, release, moment, action,
                       "您已经签署过此更新包；需要另一位人员签署。")
    _, keyids = _targets_policy(_repo(request))
    if key.keyid not in keyids:
        return _refuse(request, actor, db, release, moment, action,
                       "您的签名密钥尚未登记到更新仓库，请管理员重新“启用双人签名”。")
    if _recent_wrong_passphrases(db, actor.name, moment) >= MAX_WRONG_PASSPHRASES:
        return _refuse(request, actor, db, release, moment, action, TOO_MANY)
    personal = PersonalKey(key.keyid, key.public, key.encrypted_pem.encode("ascii"))
    try:
        signature = sign_release(release.prepared.encode("utf-8"), unlock(personal, passphrase))
    except AdminError:
        return _refuse(request, actor, db, release, moment, action, WRONG_PASSPHRASE)
    db.add(ReleaseSignature(release_id=release.id, user_id=actor.user.id, username=actor.name,
                            keyid=key.keyid, signature=signature.to_dict(), signed_at=moment))
    audit.record(db, at=moment, actor=actor.name, role=actor.user.role, action="release_sign",
                 target=f"release {release.id}", source_ip=actor.source_ip,
                 version=release.version, keyid=key.keyid[:16],
                 confirmed_removal=[r[0] for r in release.diff.get("removed", [])])
    db.commit()
    return RedirectResponse(f"/releases/{release.id}", status_code=303)


@router.post("/releases/{release_id}/publish")
def publish(request: Request, release_id: int,
            actor: Actor = Depends(NEEDS[Permission.SIGN_RELEASE]),
            db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """Publish to the TUF folder once two people (one of them 审核) have signed (audited)."""
    release = _get_release(db, release_id)
    action = "release_publish_refused"
    if release.state != "awaiting" or release.prepared is None:
        return _refuse(request, actor, db, release, moment, action, "此更新包不能发布。")
    sigs = list(db.scalars(select(ReleaseSignature).where(
        ReleaseSignature.release_id == release.id)))
    signers = {s.user_id for s in sigs}
    approvers = set(db.scalars(select(User.id).where(User.id.in_(signers),
                                                     User.role == Role.APPROVER.value,
                                                     User.active.is_(True))))
    if len(signers) < TARGETS_THRESHOLD or not approvers:
        return _refuse(request, actor, db, release, moment, action,
                       "发布需要两位不同人员的签名，其中至少一位为审核人员。")
    settings = _settings(request)
    archive = Path(settings.release_dir) / f"{release.sha256}.tar.gz"
    try:
        publish_release(_repo(request), archive, release.prepared.encode("utf-8"),
                        [Signature.from_dict(dict(s.signature)) for s in sigs])
    except (AdminError, OSError) as exc:
        if "changed since" in str(exc):
            release.state = "stale"
        return _refuse(request, actor, db, release, moment, action,
                       f"发布被拒绝：{exc}")
    release.state = "published"
    release.published_at = moment
    audit.record(db, at=moment, actor=actor.name, role=actor.user.role, action="release_publish",
                 target=f"release {release.id}", source_ip=actor.source_ip,
                 version=release.version, audiences=release.audiences,
                 signers=sorted(s.username for s in sigs))
    db.commit()
    return RedirectResponse(f"/releases/{release.id}", status_code=303)


@router.post("/signing-key")
def create_signing_key(request: Request, passphrase: str = Form(..., max_length=200),
                       confirm: str = Form(..., max_length=200),
                       actor: Actor = Depends(NEEDS[Permission.SIGN_RELEASE]),
                       db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """Create the actor's personal signing key, encrypted with their passphrase (audited)."""
    if db.scalar(select(SigningKey).where(SigningKey.user_id == actor.user.id)):
        return _list_page(request, actor, db, "您已有签名密钥。", 400)
    if passphrase != confirm:
        return _list_page(request, actor, db, "两次输入的签名口令不一致。", 400)
    if verify_password(actor.user.password_hash, passphrase):
        return _list_page(request, actor, db, "签名口令不能与登录密码相同。", 400)
    try:
        key = new_personal_key(passphrase)
    except AdminError:
        return _list_page(request, actor, db,
                          f"签名口令至少需要 {MIN_PASSPHRASE_CHARS} 个字符。", 400)
    db.add(SigningKey(user_id=actor.user.id, keyid=key.keyid, public=key.public,
                      encrypted_pem=key.encrypted_pem.decode("ascii"), created_at=moment))
    audit.record(db, at=moment, actor=actor.name, role=actor.user.role,
                 action="signing_key_create", target=actor.name, source_ip=actor.source_ip,
                 keyid=key.keyid[:16])
    db.commit()
    return RedirectResponse("/releases", status_code=303)


@router.post("/releases/two-person")
def enable_two_person(request: Request, actor: Actor = Depends(NEEDS[Permission.UPLOAD_RELEASE]),
                      db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """Make the repository's targets role need two of the active signers' keys (audited)."""
    rows = list(db.execute(select(SigningKey, User).join(User, User.id == SigningKey.user_id)
                           .where(User.active.is_(True),
                                  User.role.in_([Role.ADMIN.value, Role.APPROVER.value]))))
    keys = [PersonalKey(k.keyid, k.public, b"").public_key() for k, _ in rows]
    try:
        version = use_personal_targets_keys(_repo(request), keys)
    except AdminError as exc:
        return _list_page(request, actor, db, f"无法启用双人签名：{exc}", 400)
    audit.record(db, at=moment, actor=actor.name, role=actor.user.role,
                 action="repository_two_person", target="targets", source_ip=actor.source_ip,
                 root_version=version, holders=json.dumps(sorted(u.username for _, u in rows)))
    db.commit()
    return RedirectResponse("/releases", status_code=303)

"""Staged rollout in the console: central groups, stages, adoption reports, automatic pause
(docs/adr/0721-rollout-stages-groups-adoption.md).

A published release reaches terminals only through the rollout role of the TUF repository
(:mod:`kiosk.updates.rollout`), which this module writes with the console's online rollout key:

- pilot: one pointer per member of a central group (``rollout/terminals/<id>/current.json``);
- percent: the pilot's pointers plus the first N of 100 stable buckets (a hash of the ID);
- all: ``rollout/all/current.json``.

Terminals report, per bundle version, downloaded / activated / check_failed (the terminal's
reason, masked). When failures reach the release's threshold (``max_failures`` terminals, or
``max_failure_percent`` of the terminals the stage targets) the rollout pauses by itself and
an alert is raised; a paused rollout does not widen until a person resumes it.

Pure rules over ORM rows plus the repository writer; callers own the transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kiosk.console.models import Adoption, Release, Rollout, Terminal, TerminalGroup
from kiosk.core.privacy import mask_text
from kiosk.updates import rollout as tuf_rollout
from kiosk.updates.repository import AdminError, Repository

STAGES = ("none", "pilot", "percent", "all")
STAGE_LABELS = {"none": "未推送（已发布，尚无终端）", "pilot": "试点分组", "percent": "按比例",
                "all": "全部终端"}
ADOPTION_LABELS = {"downloaded": "已下载", "activated": "已启用", "check_failed": "检查未通过",
                   "unseen": "尚未上报"}
#: The event detail a terminal sends: "<state> <version> [reason]".
_DETAIL = re.compile(r"^(downloaded|activated|check_failed) ([0-9]{1,9})(?: (.*))?$", re.S)
_GROUP = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
#: The largest pilot group the console will write one pointer per terminal for.
MAX_PILOT_TERMINALS = 500
ALERT_KIND = "rollout_paused"


class RolloutRefused(Exception):
    """A rollout action that cannot be done; the message is shown as is (Chinese)."""


# ----- groups ---------------------------------------------------------------------------------

def parse_groups(text: str) -> list[str]:
    """Group names from a comma/space separated field; RolloutRefused for a bad name."""
    names = sorted({n for n in re.split(r"[\s,，]+", text.strip()) if n})
    bad = [n for n in names if not _GROUP.match(n)]
    if bad:
        raise RolloutRefused(f"分组名无效：{bad[0][:40]}（只能用字母、数字和 . _ -）")
    if len(names) > 20:
        raise RolloutRefused("一台终端最多属于 20 个分组。")
    return names


def groups_of(db: Session, terminal_id: str) -> list[str]:
    """The terminal's groups, sorted."""
    return sorted(db.scalars(select(TerminalGroup.group_name).where(
        TerminalGroup.terminal_id == terminal_id)))


def set_groups(db: Session, terminal_id: str, names: list[str]) -> None:
    """Replace the terminal's groups (the fleet page's 分组 column follows)."""
    db.execute(delete(TerminalGroup).where(TerminalGroup.terminal_id == terminal_id))
    for name in names:
        db.add(TerminalGroup(terminal_id=terminal_id, group_name=name))
    terminal = db.get(Terminal, terminal_id)
    if terminal is not None:
        terminal.group_name = ",".join(names)[:64]


def enrol_groups(db: Session, terminal_id: str, text: str) -> None:
    """The groups typed on the enrolment form (names that are not valid are left out)."""
    for name in sorted(set(re.split(r"[\s,，]+", text.strip()))):
        if name and _GROUP.match(name):
            db.add(TerminalGroup(terminal_id=terminal_id, group_name=name))


def all_groups(db: Session) -> dict[str, int]:
    """Group name -> how many terminals it holds."""
    return {name: int(count) for name, count in db.execute(
        select(TerminalGroup.group_name, func.count()).group_by(TerminalGroup.group_name)
        .order_by(TerminalGroup.group_name))}


def members(db: Session, group: str) -> list[str]:
    """The (not revoked) terminals of a group."""
    return list(db.scalars(select(TerminalGroup.terminal_id).join(
        Terminal, Terminal.id == TerminalGroup.terminal_id).where(
        TerminalGroup.group_name == group, Terminal.revoked.is_(False))
        .order_by(TerminalGroup.terminal_id)))


# ----- stages ---------------------------------------------------------------------------------

def draft(release_id: int, now: datetime | None = None) -> Rollout:
    """A rollout row at stage none with the default thresholds (not added to a session)."""
    return Rollout(release_id=release_id, stage="none", pilot_group="", percent=0, paused=False,
                   paused_reason="", withdrawn=False, failures_accepted=0, max_failures=2,
                   max_failure_percent=10,
                   updated_at=now)


def rollout_of(db: Session, release: Release, now: datetime) -> Rollout:
    """The release's rollout row (made, at stage none, on first use)."""
    row = db.get(Rollout, release.id)
    if row is None:
        row = draft(release.id, now)
        db.add(row)
        db.flush()
    return row


def targeted(db: Session, row: Rollout) -> list[str]:
    """The terminals the rollout's stage points at now (sorted IDs)."""
    if row.stage == "none":
        return []
    live = list(db.scalars(select(Terminal.id).where(Terminal.revoked.is_(False))
                           .order_by(Terminal.id)))
    if row.stage == "all":
        return live
    chosen = set(members(db, row.pilot_group)) if row.pilot_group else set()
    if row.stage == "percent":
        chosen |= {t for t in live if tuf_rollout.bucket_of(t) < row.percent}
    return sorted(chosen)


def advance(db: Session, repo: Repository, release: Release, row: Rollout, stage: str,
            now: datetime, group: str = "", percent: int = 0) -> dict[str, int]:
    """Move the rollout to ``stage`` and sign the pointers it needs; returns them.

    Stages only widen (pilot -> percent -> all); a paused rollout does not move."""
    if release.state != "published":
        raise RolloutRefused("只有已发布的更新包才能推送到终端。")
    if row.paused:
        raise RolloutRefused("此次推送已暂停，请先恢复。")
    if stage not in STAGES[1:]:
        raise RolloutRefused("推送阶段无效。")
    if STAGES.index(stage) < STAGES.index(row.stage):
        raise RolloutRefused("推送范围只能扩大；要撤回，请发布回滚版本。")
    pilot = group or row.pilot_group
    paths: list[str] = []
    if stage in ("pilot", "percent") and pilot:
        if not _GROUP.match(pilot):
            raise RolloutRefused("分组名无效。")
        found = members(db, pilot)
        if stage == "pilot" and not found:
            raise RolloutRefused(f"分组 {pilot} 中没有终端。")
        if len(found) > MAX_PILOT_TERMINALS:
            raise RolloutRefused(f"试点分组最多 {MAX_PILOT_TERMINALS} 台终端；更多请按比例推送。")
        paths += [tuf_rollout.terminal_path(t) for t in found]
    elif stage == "pilot":
        raise RolloutRefused("请选择试点分组。")
    if stage == "percent":
        if not 1 <= percent <= 100 or percent < row.percent:
            raise RolloutRefused(f"比例应在 {max(row.percent, 1)}–100 之间。")
        paths += [tuf_rollout.bucket_path(b) for b in range(percent)]
    if stage == "all":
        paths.append(tuf_rollout.ALL_PATH)
    pointers = tuf_rollout.pointers_for(release.version, paths)
    try:
        tuf_rollout.point(repo, pointers)
    except AdminError as exc:
        raise RolloutRefused(f"更新仓库拒绝了这次推送：{exc}") from None
    row.stage = stage
    row.pilot_group = pilot if stage != "all" else row.pilot_group
    row.percent = percent if stage == "percent" else (100 if stage == "all" else row.percent)
    row.updated_at = now
    return pointers


def pause(row: Rollout, reason: str, now: datetime) -> None:
    """Stop the rollout from widening."""
    row.paused = True
    row.paused_reason = reason[:200]
    row.updated_at = now


def withdraw(db: Session, repo: Repository, release: Release, row: Rollout) -> list[str]:
    """Take a paused pilot or percentage stage back from the terminals that have not reported
    its version: their pilot pointers and the opened buckets are withdrawn, and each terminal
    in those buckets that did report keeps it through its own pointer (a terminal must never be
    offered less than it has seen). Returns the withdrawn paths. At stage all nothing is taken
    back: a rollback release does that."""
    if row.withdrawn:
        return []
    if row.stage not in ("pilot", "percent"):
        row.withdrawn = True
        return []
    version = release.version
    now_at = tuf_rollout.current(repo)
    reporters = set(db.scalars(select(Adoption.terminal_id).where(Adoption.version == version)))
    withdrawn = [tuf_rollout.terminal_path(t) for t in
                 (members(db, row.pilot_group) if row.pilot_group else [])
                 if t not in reporters
                 and now_at.get(tuf_rollout.terminal_path(t)) == version]
    keep: dict[str, int] = {}
    if row.stage == "percent":
        withdrawn += [tuf_rollout.bucket_path(b) for b in range(row.percent)
                      if now_at.get(tuf_rollout.bucket_path(b)) == version]
        keep = {tuf_rollout.terminal_path(t): version for t in sorted(reporters)
                if _GROUP.match(t) and tuf_rollout.bucket_of(t) < row.percent
                and now_at.get(tuf_rollout.terminal_path(t), 0) <= version}
    if withdrawn:
        try:
            tuf_rollout.point(repo, keep, withdrawn)
        except AdminError as exc:
            raise RolloutRefused(f"更新仓库未能撤回推送：{exc}") from None
    row.withdrawn = True
    return withdrawn


def withdraw_paused(db: Session, repo: Repository) -> int:
    """Withdraw every paused rollout not withdrawn yet (after an automatic pause); returns how
    many. A repository problem leaves the row for the next call."""
    done = 0
    for row in db.scalars(select(Rollout).where(Rollout.paused.is_(True),
                                                Rollout.withdrawn.is_(False))):
        release = db.get(Release, row.release_id)
        if release is None:
            continue
        try:
            withdraw(db, repo, release, row)
        except RolloutRefused:
            continue
        done += 1
    return done


def resume(db: Session, release: Release, row: Rollout, now: datetime,
           repo: Repository | None = None) -> None:
    """Let the rollout widen again (pointers taken back at the pause are given back); its
    automatic-pause alerts are resolved."""
    from kiosk.console.models import Alert

    row.paused = False
    row.paused_reason = ""
    row.updated_at = now
    row.failures_accepted = failures(db, release.version)
    if row.withdrawn and repo is not None and row.stage in ("pilot", "percent"):
        advance(db, repo, release, row, row.stage, now, group=row.pilot_group,
                percent=row.percent)
    row.withdrawn = False
    for alert in db.scalars(select(Alert).where(
            Alert.kind == ALERT_KIND, Alert.detail == _alert_detail(release),
            Alert.state.in_(("open", "acknowledged")))):
        alert.state = "resolved"
        alert.resolved_at = now


# ----- adoption -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class AdoptionRow:
    """One terminal on the adoption table."""

    terminal_id: str
    site: str
    state: str  # downloaded | activated | check_failed | unseen
    reason: str
    at: datetime | None


def record(db: Session, terminal: Terminal, detail: str, now: datetime) -> Adoption | None:
    """Store one adoption report ("<state> <version> [reason]"); None when malformed. A later
    "downloaded" never hides an earlier activation or failure of the same version."""
    match = _DETAIL.match(detail.strip())
    if not match:
        return None
    state, version = match.group(1), int(match.group(2))
    reason = mask_text(match.group(3) or "")[:200]
    row = db.scalar(select(Adoption).where(Adoption.version == version,
                                           Adoption.terminal_id == terminal.id))
    if row is None:
        row = Adoption(version=version, terminal_id=terminal.id, state=state, reason=reason,
                       at=now)
        db.add(row)
    elif row.state == state or (state == "downloaded" and row.state != "downloaded"):
        return row  # a repeated report (e.g. after the kiosk restarts) changes nothing
    else:
        row.state, row.reason, row.at = state, reason, now
    db.flush()
    check_threshold(db, version, terminal, now)
    return row


def failures(db: Session, version: int) -> int:
    """Terminals whose check of bundle ``version`` failed."""
    return int(db.scalar(select(func.count()).select_from(Adoption).where(
        Adoption.version == version, Adoption.state == "check_failed")) or 0)


def check_threshold(db: Session, version: int, terminal: Terminal, now: datetime) -> bool:
    """Pause the release of ``version`` and raise an alert when its failures pass the
    threshold; True when it paused now."""
    release = db.scalar(select(Release).where(Release.version == version,
                                              Release.state == "published"))
    if release is None:
        return False
    row = rollout_of(db, release, now)
    if row.paused:
        return False
    failed = failures(db, version) - row.failures_accepted
    if failed <= 0:
        return False
    if row.stage == "none":  # published straight to channels (all, group:, terminal:)
        reach = int(db.scalar(select(func.count()).select_from(Terminal).where(
            Terminal.revoked.is_(False))) or 0)
    else:
        reach = len(targeted(db, row))
    reach = max(reach, 1)
    if failed < row.max_failures and failed * 100 < row.max_failure_percent * reach:
        return False
    pause(row, f"{failed} 台终端检查未通过（阈值：{row.max_failures} 台或 "
               f"{row.max_failure_percent}%），已自动暂停", now)
    from kiosk.console.fleet import raise_alert

    raise_alert(db, terminal, ALERT_KIND, _alert_detail(release), now)
    return True


def adoption_rows(db: Session, release: Release, row: Rollout) -> list[AdoptionRow]:
    """Every targeted terminal (and any that reported anyway), worst first."""
    reports = {a.terminal_id: a for a in db.scalars(select(Adoption).where(
        Adoption.version == release.version))}
    ids = sorted(set(targeted(db, row)) | set(reports))
    sites = dict(db.execute(select(Terminal.id, Terminal.site).where(Terminal.id.in_(ids))).all())
    rows = []
    for tid in ids:
        report = reports.get(tid)
        rows.append(AdoptionRow(tid, str(sites.get(tid, "")),
                                report.state if report else "unseen",
                                report.reason if report else "", report.at if report else None))
    order = {"check_failed": 0, "unseen": 1, "downloaded": 2, "activated": 3}
    return sorted(rows, key=lambda r: (order[r.state], r.terminal_id))


def counts(rows: list[AdoptionRow]) -> dict[str, int]:
    """How many terminals are in each adoption state."""
    found = dict.fromkeys(ADOPTION_LABELS, 0)
    for r in rows:
        found[r.state] += 1
    return found


def _alert_detail(release: Release) -> str:
    return f"更新包 #{release.id} 版本 {release.version}"

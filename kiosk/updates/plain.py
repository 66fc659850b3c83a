"""What a terminal runs and how its last update went, in plain words: one place for the words
`kiosk doctor`, the technician screen, `kiosk updates` and the heartbeat use (ADR 0731).

Also the one rule deciding whether a terminal follows bundles at all (:func:`updates_off_reason`),
shared by the kiosk's composition and `kiosk updates`, so a technician's command and the running
kiosk never disagree about it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kiosk import REPO_ROOT
from kiosk.core.privacy import mask_text
from kiosk.updates.state import CheckKind, OutcomeKind, UpdateState

BUILTIN = "the built-in catalogue"


def trusted_root_path(setting: str) -> Path:
    """The trusted root file named by ``[updates] trusted_root`` (relative to the app)."""
    path = Path(setting)
    return path if path.is_absolute() else REPO_ROOT / path


def updates_off_reason(repo_url: str, trusted_root: Path) -> str:
    """Why this terminal ignores bundles ("" when it follows its repository)."""
    if not repo_url:
        return "[updates] repo_url is empty in the site file"
    if not Path(trusted_root).is_file():
        return f"this build has no trusted root at {trusted_root}"
    return ""


def _bundle(version: int | None) -> str:
    return BUILTIN if version is None else f"bundle {version}"


def runs(state: UpdateState, off_reason: str = "") -> str:
    """What the kiosk runs, e.g. ``bundle 4 (since 2026-12-01T03:00:00Z)`` or
    ``the built-in catalogue: updates are off ([updates] repo_url is empty ...)``."""
    if off_reason:
        text = f"{BUILTIN}: updates are off ({off_reason})"
        if state.active is not None:
            text += f"; bundle {state.active} in the data folder is ignored"
        return text
    text = _bundle(state.active)
    outcome = state.last_outcome
    if state.active is not None and outcome.kind == OutcomeKind.ACTIVATED \
            and outcome.version == state.active and outcome.at:
        text += f" (since {outcome.at})"
    if state.staged is not None:
        text += f"; bundle {state.staged} is downloaded and switches in between sessions"
    return text


def outcome_words(state: UpdateState) -> str:
    """The last update event as a sentence a technician (or the fleet list) can read."""
    outcome = state.last_outcome
    when = f" at {outcome.at}" if outcome.at else ""
    now = _bundle(state.active)
    reason = f": {outcome.reason}" if outcome.reason else ""
    if outcome.kind == OutcomeKind.NONE:
        return "no update yet"
    if outcome.kind == OutcomeKind.STAGED:
        return f"bundle {outcome.version} downloaded{when}; it switches in between sessions"
    if outcome.kind == OutcomeKind.ACTIVATED:
        return f"bundle {outcome.version} activated{when}"
    if outcome.kind == OutcomeKind.ROLLED_BACK:
        problems = outcome.reason.split(": ", 1)[1] if ": " in outcome.reason else outcome.reason
        return (f"update FAILED{when}: bundle {outcome.version} failed its check on this "
                f"terminal and was undone; {now} runs" + (f" ({problems})" if problems else ""))
    if outcome.kind == OutcomeKind.REJECTED:
        which = f"bundle {outcome.version}" if outcome.version is not None else "the update"
        return f"update FAILED{when}: {which} was refused{reason}; {now} runs"
    return f"{outcome.kind}{reason}"


def check_words(state: UpdateState) -> str:
    """The last poll of the repository as a sentence."""
    check = state.last_check
    when = f" at {check.at}" if check.at else ""
    reason = f" ({check.reason})" if check.reason else ""
    if check.kind == CheckKind.NEVER:
        return "has not asked the update server yet"
    if check.kind == CheckKind.OK:
        return f"asked the update server{when}{reason}"
    if check.kind == CheckKind.UNREACHABLE:
        return f"could not reach the update server{when}{reason}"
    if check.kind == CheckKind.REJECTED:
        return f"the update server sent something refused{when}{reason}"
    return f"the last look for updates failed{when}{reason}"


def failed(state: UpdateState) -> bool:
    """Whether the last update event is a failure worth a technician's look."""
    return state.last_outcome.kind in (OutcomeKind.ROLLED_BACK, OutcomeKind.REJECTED)


def summary(state: UpdateState, off_reason: str = "") -> str:
    """One line for the heartbeat and the fleet list: what runs, then the last event."""
    if off_reason:
        return f"runs {runs(state, off_reason)}"
    return f"runs {runs(state)}; last update: {outcome_words(state)}"


#: Longest plain-words line the console keeps (its wire model's limit).
CONSOLE_SUMMARY_CHARS = 300
_CONSOLE_OUTCOMES: dict[str, str] = {
    OutcomeKind.ACTIVATED.value: "ok", OutcomeKind.ROLLED_BACK.value: "failed",
    OutcomeKind.REJECTED.value: "failed", OutcomeKind.STAGED.value: "staged"}


def console_update(update: Mapping[str, Any]) -> dict[str, str]:
    """The updater's heartbeat fields (`BundleUpdater.heartbeat`) in the console's shape
    (kiosk.console.wire.UpdateOutcome): ``outcome`` ok / failed / staged / "", the bundle
    ``version``, ``at``, and the plain-words ``summary`` (masked, shortened)."""
    version = update.get("update_version")
    return {
        "outcome": _CONSOLE_OUTCOMES.get(str(update.get("update_outcome", "")), ""),
        "version": "" if version is None else str(version)[:64],
        "at": str(update.get("update_at") or "")[:64],
        "summary": mask_text(str(update.get("update_summary") or ""))[:CONSOLE_SUMMARY_CHARS],
    }

"""The terminal's update state: active and staged slots, history and outcomes, in one JSON file.

Written atomically (temp file, fsync, rename) so a power cut leaves either the old or the new
state, never half of one. Pure data; the updater does the I/O around it.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any


class OutcomeKind(StrEnum):
    """What the last update event was (reported in the heartbeat)."""

    NONE = "none"              # nothing has happened yet
    STAGED = "staged"          # downloaded and verified, waiting for no resident in session
    ACTIVATED = "activated"    # the new bundle runs and passed its check
    ROLLED_BACK = "rolled_back"  # the new bundle failed its check; the previous one runs again
    REJECTED = "rejected"      # refused: bad signature, hash, archive, version, app too old...


class CheckKind(StrEnum):
    """How the last poll of the repository went."""

    NEVER = "never"
    OK = "ok"                  # metadata verified (whether or not there was something new)
    REJECTED = "rejected"      # the repository served something that failed verification
    UNREACHABLE = "unreachable"  # network or server trouble; try again at the next poll
    ERROR = "error"            # the poll itself failed (reported, the next poll runs)


#: Refused bundles remembered by hash (the oldest are forgotten first).
MAX_REFUSED = 20


@dataclass(frozen=True)
class RefusedBundle:
    """A downloaded bundle refused for its content: never downloaded again by this app version
    (a newer app may accept what an older one refused, e.g. a newer manifest)."""

    sha256: str
    version: int | None
    app_version: str
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return asdict(self)


@dataclass(frozen=True)
class Outcome:
    """One update event or poll result: kind, bundle version involved, reason, UTC time."""

    kind: str
    version: int | None = None
    reason: str = ""
    at: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return asdict(self)


@dataclass
class UpdateState:
    """Everything the updater remembers between runs."""

    active: int | None = None           # active bundle version (slot ``v<version>``)
    staged: int | None = None           # verified, unpacked, not yet active
    checking: int | None = None         # active but its check has not finished (power cut?)
    history: list[int] = field(default_factory=list)  # earlier active versions, newest first
    highest_seen: int = 0               # highest version ever staged: never accept lower
    bad_versions: list[int] = field(default_factory=list)  # failed their check: never again
    last_outcome: Outcome = field(default_factory=lambda: Outcome(OutcomeKind.NONE))
    last_check: Outcome = field(default_factory=lambda: Outcome(CheckKind.NEVER))
    refused: list[RefusedBundle] = field(default_factory=list)  # newest last

    def is_refused(self, sha256: str, app_version: str) -> RefusedBundle | None:
        """The remembered refusal of this content under this app version, if any."""
        for entry in self.refused:
            if entry.sha256 == sha256 and entry.app_version == app_version:
                return entry
        return None

    def remember_refused(self, entry: RefusedBundle) -> None:
        """Remember a refused bundle (bounded by `MAX_REFUSED`)."""
        self.refused = [r for r in self.refused if r.sha256 != entry.sha256][-(MAX_REFUSED - 1):]
        self.refused.append(entry)

    def to_json(self) -> bytes:
        """Serialise for the state file."""
        body = asdict(self)
        return json.dumps(body, indent=1, sort_keys=True).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> UpdateState:
        """Parse the state file (unknown keys ignored)."""
        body = json.loads(data.decode("utf-8"))
        return cls(
            active=body.get("active"),
            staged=body.get("staged"),
            checking=body.get("checking"),
            history=list(body.get("history", [])),
            highest_seen=int(body.get("highest_seen", 0)),
            bad_versions=list(body.get("bad_versions", [])),
            last_outcome=Outcome(**body.get("last_outcome", {"kind": OutcomeKind.NONE})),
            last_check=Outcome(**body.get("last_check", {"kind": CheckKind.NEVER})),
            refused=[RefusedBundle(**r) for r in body.get("refused", [])],
        )


def load_state(path: Path) -> UpdateState:
    """Read the state file; a missing or unreadable file gives a fresh state."""
    try:
        return UpdateState.from_json(path.read_bytes())
    except FileNotFoundError:
        return UpdateState()
    except (ValueError, TypeError, KeyError):
        # A corrupt state file must not brick updates; the slots are still on disk and the
        # TUF metadata still guards against rollback.
        return UpdateState()


def save_state(path: Path, state: UpdateState) -> None:
    """Write the state file atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".state.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(state.to_json())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise

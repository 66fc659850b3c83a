"""Terminal facts a technician wants, shared by the technician screen and `kiosk doctor`:
platform reachability and latency, outbox depth, the active flow bundle and update status, and
whether the log folder is writable. Each returns a `Fact` (a value, never an exception).
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: More pending submissions than this is worth a technician's look (the network may be down).
OUTBOX_WARN_PENDING = 50


@dataclass(frozen=True, slots=True)
class Fact:
    """One line: a name, whether it is fine, and the detail."""

    name: str
    ok: bool
    detail: str


def platform_fact(client: Any, base_url: str = "") -> Fact:
    """Ask the platform's health endpoint; the detail carries the latency."""
    from kiosk.platform.errors import PlatformError

    started = time.perf_counter()
    try:
        health = client.health()
    except PlatformError as exc:
        return Fact("platform", False, f"{base_url} unreachable: {exc.kind}")
    except Exception as exc:  # an unexpected client fault is still just "not reachable"
        return Fact("platform", False, f"{base_url} unreachable: {type(exc).__name__}")
    latency_ms = (time.perf_counter() - started) * 1000
    return Fact("platform", True, f"{base_url} ok, version {getattr(health, 'version', '?')}, "
                                  f"{latency_ms:.0f} ms")


def outbox_fact(data_dir: Path) -> Fact:
    """Pending / delivered / refused submissions in the outbox journal."""
    import sqlite3

    path = data_dir / "outbox.sqlite3"
    if not path.exists():
        return Fact("outbox", True, "empty (no journal yet)")
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            counts = dict(db.execute(
                "SELECT state, COUNT(*) FROM submissions GROUP BY state").fetchall())
        finally:
            db.close()
    except sqlite3.Error as exc:
        return Fact("outbox", False, f"{path}: {exc}")
    pending = counts.get("pending", 0)
    return Fact("outbox", pending <= OUTBOX_WARN_PENDING,
                f"{pending} pending, {counts.get('delivered', 0)} delivered, "
                f"{counts.get('refused', 0)} refused")


def update_facts(data_dir: Path, updates: Any = None) -> list[Fact]:
    """What the terminal runs and why, and how the last update and look for updates went, in
    plain words (kiosk.updates.plain). ``updates`` is the ``[updates]`` settings: without a
    repository URL (or a trusted root) the kiosk ignores bundles, and the facts say so."""
    try:
        from kiosk.updates import plain
        from kiosk.updates.state import load_state
    except ImportError:
        return [Fact("bundle", True, "updates not available in this build")]
    path = data_dir / "updates" / "state.json"
    try:
        state = load_state(path)
    except Exception as exc:  # a damaged state file is a finding, not a crash
        return [Fact("bundle", False, f"{path}: unreadable ({type(exc).__name__})")]
    off = "" if updates is None else plain.updates_off_reason(
        updates.repo_url, plain.trusted_root_path(updates.trusted_root))
    if off:
        return [Fact("bundle", state.active is None, f"runs {plain.runs(state, off)}"),
                Fact("updates", True, "off: set [updates] repo_url in the site file to follow "
                                      "bundles")]
    return [
        Fact("bundle", True, f"runs {plain.runs(state)}"),
        Fact("updates", not plain.failed(state),
             f"last update: {plain.outcome_words(state)}; last look: {plain.check_words(state)}"),
    ]


def log_dir_fact(log_dir: Path) -> Fact:
    """Whether logs can be written."""
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=log_dir):
            pass
    except OSError as exc:
        return Fact("log_dir", False, f"{log_dir}: {exc.strerror}")
    return Fact("log_dir", True, f"{log_dir} writable")

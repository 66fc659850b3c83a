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

from kiosk.i18n import N_

#: More pending submissions than this is worth a technician's look (the network may be down).
OUTBOX_WARN_PENDING = 50


@dataclass(frozen=True, slots=True)
class Fact:
    """One line: a name, whether it is fine, and the detail.

    ``detail`` is English (`kiosk doctor`, logs); ``words`` is the same detail as a gettext msgid
    with its ``values`` (name, value pairs) for the technician screen (kiosk.technician.words).
    """

    name: str
    ok: bool
    detail: str
    words: str = ""
    values: tuple[tuple[str, object], ...] = ()


def platform_fact(client: Any, base_url: str = "") -> Fact:
    """Ask the platform's health endpoint; the detail carries the latency."""
    from kiosk.platform.errors import PlatformError

    started = time.perf_counter()
    try:
        health = client.health()
    except PlatformError as exc:
        kind = str(exc.kind)
    except Exception as exc:  # an unexpected client fault is still just "not reachable"
        kind = type(exc).__name__
    else:
        latency_ms = (time.perf_counter() - started) * 1000
        version = getattr(health, "version", "?")
        return Fact("platform", True, f"{base_url} ok, version {version}, {latency_ms:.0f} ms",
                    N_("{url} 正常，版本 {version}，{ms} 毫秒"),
                    (("url", base_url), ("version", version), ("ms", f"{latency_ms:.0f}")))
    return Fact("platform", False, f"{base_url} unreachable: {kind}",
                N_("{url} 无法连接：{kind}"), (("url", base_url), ("kind", kind)))


def outbox_fact(data_dir: Path) -> Fact:
    """Pending / delivered / refused submissions in the outbox journal."""
    import sqlite3

    path = data_dir / "outbox.sqlite3"
    if not path.exists():
        return Fact("outbox", True, "empty (no journal yet)", N_("空（尚无记录）"))
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
    delivered, refused = counts.get("delivered", 0), counts.get("refused", 0)
    return Fact("outbox", pending <= OUTBOX_WARN_PENDING,
                f"{pending} pending, {delivered} delivered, {refused} refused",
                N_("待发 {pending}，已送达 {delivered}，被拒 {refused}"),
                (("pending", pending), ("delivered", delivered), ("refused", refused)))


def update_facts(data_dir: Path, updates: Any = None) -> list[Fact]:
    """What the terminal runs and why, and how the last update and look for updates went, in
    plain words (kiosk.updates.plain). ``updates`` is the ``[updates]`` settings: without a
    repository URL (or a trusted root) the kiosk ignores bundles, and the facts say so."""
    try:
        from kiosk.updates import plain
        from kiosk.updates.state import load_state
    except ImportError:
        return [Fact("bundle", True, "updates not available in this build",
                     N_("此版本不含更新功能"))]
    path = data_dir / "updates" / "state.json"
    try:
        state = load_state(path)
    except Exception as exc:  # a damaged state file is a finding, not a crash
        return [Fact("bundle", False, f"{path}: unreadable ({type(exc).__name__})")]
    outcome = state.last_outcome
    check = state.last_check
    bundle_words = (N_("当前 v{active}") if state.active is not None else N_("当前为内置目录"))
    if state.staged is not None:
        bundle_words = (N_("当前 v{active}，已暂存 v{staged}") if state.active is not None
                        else N_("当前为内置目录，已暂存 v{staged}"))
    bundle_values = (("active", state.active), ("staged", state.staged))
    off = "" if updates is None else plain.updates_off_reason(
        updates.repo_url, plain.trusted_root_path(updates.trusted_root))
    if off:
        return [Fact("bundle", state.active is None, f"runs {plain.runs(state, off)}",
                     bundle_words, bundle_values),
                Fact("updates", True, "off: set [updates] repo_url in the site file to follow "
                                      "bundles",
                     N_("未开启：在站点文件中设置 [updates] repo_url 后才跟随更新包"))]
    return [
        Fact("bundle", True, f"runs {plain.runs(state)}", bundle_words, bundle_values),
        Fact("updates", not plain.failed(state),
             f"last update: {plain.outcome_words(state)}; last look: {plain.check_words(state)}",
             N_("上次结果 {outcome}{version}{reason}；上次检查 {check}{at}"),
             (("outcome", str(outcome.kind)),
              ("version", f" v{outcome.version}" if outcome.version else ""),
              ("reason", f" ({outcome.reason})" if outcome.reason else ""),
              ("check", str(check.kind)), ("at", f" {check.at}" if check.at else ""))),
    ]


def log_dir_fact(log_dir: Path) -> Fact:
    """Whether logs can be written."""
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=log_dir):
            pass
    except OSError as exc:
        return Fact("log_dir", False, f"{log_dir}: {exc.strerror}")
    return Fact("log_dir", True, f"{log_dir} writable", N_("{path} 可写"),
                (("path", str(log_dir)),))

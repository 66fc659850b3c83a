"""Writing the site file from technician mode: validated, atomic, with a timestamped backup.

A change is a set of dotted keys (``devices.idcard = "serial:///dev/ttyUSB0"``). The new file
is written next to the old one, loaded through `kiosk.boot.settings.load_settings` (the same rules
the
kiosk starts with), and only then the old file is copied to a backup and replaced by rename.
A rejected change leaves the old file untouched and returns the reason, naming file and key.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.boot.settings import DEFAULTS_FILE, ConfigError, load_settings

#: Backups kept per site file (older ones are deleted).
KEEP_BACKUPS = 20


@dataclass(frozen=True, slots=True)
class SiteWriteResult:
    """``ok`` with the backup path, or not ``ok`` with the technician-facing reason."""

    ok: bool
    reason: str = ""
    backup: Path | None = None


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                   .replace("\t", "\\t"))
        return f'"{escaped}"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def dump_toml(data: Mapping[str, Any]) -> str:
    """Serialise a two-level mapping (top-level keys and tables) as TOML."""
    lines = ["# Site file written by technician mode; the previous version is in backups/.", ""]
    tables = {k: v for k, v in data.items() if isinstance(v, Mapping)}
    for key, value in data.items():
        if key not in tables:
            lines.append(f"{key} = {_toml_value(value)}")
    for name, table in tables.items():
        lines += ["", f"[{name}]"]
        for key, value in table.items():
            if isinstance(value, Mapping):
                raise TypeError(f"nested table {name}.{key} is not supported")
            lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def apply_changes(data: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``data`` with the dotted ``changes`` applied (``None`` removes a key)."""
    result = {k: dict(v) if isinstance(v, dict) else v for k, v in data.items()}
    for dotted, value in changes.items():
        *tables, key = dotted.split(".")
        node = result
        for table in tables:
            node = node.setdefault(table, {})
        if value is None:
            node.pop(key, None)
        else:
            node[key] = value
    return result


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def update_site_file(site_file: Path, changes: Mapping[str, Any],
                     defaults_file: Path = DEFAULTS_FILE,
                     now: Callable[[], float] = time.time) -> SiteWriteResult:
    """Apply ``changes`` to ``site_file`` if the result is a valid configuration."""
    try:
        current = tomllib.loads(site_file.read_text(encoding="utf-8")) \
            if site_file.exists() else {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        return SiteWriteResult(False, f"{site_file}: cannot read the current file ({exc})")
    try:
        text = dump_toml(apply_changes(current, changes))
    except TypeError as exc:
        return SiteWriteResult(False, f"{site_file}: {exc}")
    site_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = site_file.with_name(f".{site_file.name}.{os.getpid()}.new")
    try:
        with tmp.open("w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            load_settings(site_file=tmp, environ={}, defaults_file=defaults_file)
        except ConfigError as exc:
            return SiteWriteResult(False, str(exc).replace(str(tmp), str(site_file)))
        backup = _backup(site_file, now())
        os.replace(tmp, site_file)
        _fsync_dir(site_file.parent)
        return SiteWriteResult(True, "", backup)
    except OSError as exc:
        return SiteWriteResult(False, f"{site_file}: cannot write ({exc.strerror})")
    finally:
        # a read-only folder: there is no temp file to remove, and no crash either
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def backup_dir(site_file: Path) -> Path:
    """Where backups of ``site_file`` go."""
    return site_file.parent / "backups"


def _backup(site_file: Path, now: float) -> Path | None:
    if not site_file.exists():
        return None
    folder = backup_dir(site_file)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.localtime(now)) + f"{now % 1:.3f}"[1:]
    target = folder / f"{site_file.name}.{stamp}"
    shutil.copy2(site_file, target)
    with target.open("rb") as handle:
        os.fsync(handle.fileno())
    old = sorted(folder.glob(f"{site_file.name}.*"))
    for stale in old[:-KEEP_BACKUPS]:
        stale.unlink(missing_ok=True)
    return target

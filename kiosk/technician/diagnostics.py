"""Exporting logs and a diagnostics bundle, with personal data removed, to a chosen folder.

The bundle is one zip: the effective configuration with secrets removed, device statuses,
versions, recent errors, outbox depth and the logs. Every text goes through the redactor and
the ID/phone masks, and any JSON field named like a person's data (name, address, id_number,
phone, photo...) is dropped, so a bundle can leave the site on a USB stick.
"""

from __future__ import annotations

import json
import os
import platform
import re
import sys
import time
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.boot.logs import LOG_FILE_NAME
from kiosk.core.privacy import REDACTOR, Redactor, mask_text

#: JSON keys whose values are personal and are dropped from every exported record. The bare
#: key ``idcard`` is not one of them: it names the ID-card reader (devices, statuses), and a
#: number read from a card is keyed ``id_number``/``idcard_number``/``card_number``.
PERSONAL_KEY_RE = re.compile(
    r"(^|_)(name|names|address|addr|id_?number|id_?no|id_?card_?(?:number|num|no)|phone|"
    r"mobile|photo|face|birth|birth_date|card_number|resident|holder|email)($|_)",
    re.IGNORECASE)
#: Keys that look personal by name but are not (the site, a reader model, a print job).
NOT_PERSONAL_KEYS = frozenset({"site_name", "reader_name", "job_name", "file_name", "font_name",
                               "event_name", "logger", "device_name"})
#: Keys whose values are secrets and are replaced in the exported configuration.
SECRET_KEY_RE = re.compile(r"(secret|token|password|passwd|key|credential)", re.IGNORECASE)
#: Log lines at these levels are "recent errors".
ERROR_LEVELS = frozenset({"WARNING", "ERROR", "CRITICAL"})
RECENT_ERRORS = 200
#: Where USB sticks are mounted on a desktop-less Linux.
MEDIA_ROOTS: tuple[Path, ...] = (Path("/media"), Path("/run/media"))


@dataclass(frozen=True, slots=True)
class ExportResult:
    """``ok`` with the written file, or the reason it could not be written."""

    ok: bool
    path: Path | None = None
    detail: str = ""


def _personal_key(key: str) -> bool:
    return key not in NOT_PERSONAL_KEYS and bool(PERSONAL_KEY_RE.search(key))


def scrub(value: Any, redactor: Redactor = REDACTOR) -> Any:
    """``value`` with personal keys dropped and every string masked (recursively)."""
    if isinstance(value, Mapping):
        return {str(k): scrub(v, redactor) for k, v in value.items() if not _personal_key(str(k))}
    if isinstance(value, list | tuple):
        return [scrub(v, redactor) for v in value]
    if isinstance(value, str):
        return redactor.redact(mask_text(value))
    return value


def scrub_line(line: str, redactor: Redactor = REDACTOR) -> str:
    """One log line: JSON lines lose their personal fields; every line is masked."""
    text = line.rstrip("\n")
    if text.startswith("{"):
        try:
            record = json.loads(text)
        except ValueError:
            record = None
        if isinstance(record, dict):
            return json.dumps(scrub(record, redactor), ensure_ascii=False)
    return redactor.redact(mask_text(text))


def remove_secrets(config: Mapping[str, Any]) -> dict[str, Any]:
    """The configuration with secret-looking values replaced and URL credentials stripped."""
    out: dict[str, Any] = {}
    for key, value in config.items():
        if isinstance(value, Mapping):
            out[key] = remove_secrets(value)
        elif SECRET_KEY_RE.search(key):
            out[key] = "[removed]"
        elif isinstance(value, str):
            out[key] = re.sub(r"(://)[^/@\s]+@", r"\1[removed]@", value)
        else:
            out[key] = value
    return out


def log_files(log_dir: Path) -> list[Path]:
    """The current log and its rotated copies, oldest first."""
    if not log_dir.is_dir():
        return []
    files = [p for p in log_dir.glob(f"{LOG_FILE_NAME}*") if p.is_file()]
    return sorted(files, key=lambda p: p.stat().st_mtime)


def recent_errors(log_dir: Path, limit: int = RECENT_ERRORS,
                  redactor: Redactor = REDACTOR) -> list[str]:
    """The last ``limit`` warning/error lines of the logs, scrubbed."""
    lines: list[str] = []
    for path in log_files(log_dir):
        try:
            with path.open(encoding="utf-8", errors="replace") as handle:
                for line in handle:
                    level = _level(line)
                    if level in ERROR_LEVELS:
                        lines.append(line)
                        lines = lines[-limit:]
        except OSError:
            continue
    return [scrub_line(line, redactor) for line in lines]


def _level(line: str) -> str:
    match = re.search(r'"level":\s*"([A-Z]+)"', line)
    return match.group(1) if match else ""


def versions() -> dict[str, str]:
    """Versions of the app and the main libraries."""
    from kiosk import __version__

    found = {"kiosk": __version__, "python": sys.version.split()[0],
             "platform": platform.platform()}
    from importlib import metadata

    for dist in ("Kivy", "pyserial", "pyscard", "opencv-python-headless", "reportlab", "tuf"):
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[dist] = "-"
    return found


def export_targets(data_dir: Path, roots: Iterable[Path] = MEDIA_ROOTS) -> list[Path]:
    """Folders a bundle can go to: mounted USB sticks first, then ``<data_dir>/exports``."""
    targets: list[Path] = []
    for root in roots:
        if not root.is_dir():
            continue
        for child in sorted(root.iterdir()):
            # /media/<user>/<label> on desktops, /media/<label> with usbmount
            subs = [c for c in sorted(child.iterdir()) if c.is_dir()] \
                if child.is_dir() and not os.path.ismount(child) and _readable(child) else []
            for candidate in (subs or [child]):
                if candidate.is_dir() and os.access(candidate, os.W_OK):
                    targets.append(candidate)
    targets.append(data_dir / "exports")
    return targets


def _readable(path: Path) -> bool:
    return os.access(path, os.R_OK | os.X_OK)


def export_bundle(dest_dir: Path, *, config: Mapping[str, Any], statuses: Mapping[str, str],
                  log_dir: Path, outbox: Mapping[str, Any] | None = None,
                  extra: Mapping[str, Any] | None = None, terminal_id: str = "",
                  redactor: Redactor = REDACTOR, now: float | None = None) -> ExportResult:
    """Write ``kiosk-diagnostics-<terminal>-<time>.zip`` into ``dest_dir``."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now if now is not None else
                                                          time.time()))
    safe_id = re.sub(r"[^A-Za-z0-9_-]", "_", terminal_id) or "terminal"
    name = f"kiosk-diagnostics-{safe_id}-{stamp}.zip"
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
        target = dest_dir / name
        tmp = dest_dir / f".{name}.part"
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            def put(arcname: str, data: Any) -> None:
                bundle.writestr(arcname, json.dumps(scrub(data, redactor), ensure_ascii=False,
                                                    indent=2, default=str))
            put("config.json", remove_secrets(config))
            put("devices.json", dict(statuses))
            put("versions.json", versions())
            put("outbox.json", dict(outbox or {}))
            put("extra.json", dict(extra or {}))
            bundle.writestr("recent_errors.jsonl",
                            "\n".join(recent_errors(log_dir, redactor=redactor)) + "\n")
            for path in log_files(log_dir):
                with path.open(encoding="utf-8", errors="replace") as handle:
                    text = "\n".join(scrub_line(line, redactor) for line in handle)
                bundle.writestr(f"logs/{path.name}", text + "\n")
        with tmp.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        return ExportResult(False, None, f"{dest_dir}: cannot write ({exc.strerror or exc})")
    return ExportResult(True, target, f"written to {target}")

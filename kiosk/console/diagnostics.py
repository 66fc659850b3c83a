"""A terminal's diagnostics bundle, checked before the console keeps it (docs/adr/0702).

The terminal builds the technician's PII-free bundle (kiosk/technician/diagnostics.py: the
configuration without secrets, device statuses, versions, recent errors, the masked logs) and
uploads it for a diagnostics command. An upload is hostile until checked: it must be a zip of at
most `MAX_BYTES`, holding only the files that bundle holds (no folders but ``logs/``, no path
that climbs out), at most `MAX_UNPACKED_BYTES` unpacked and no entry packed more than
`MAX_RATIO` to one (a zip bomb), and no text in it may look like an unmasked ID number or mobile
number (the bundle masks them; one that does not is refused rather than stored).
"""

from __future__ import annotations

import io
import re
import zipfile

from kiosk.core.privacy import ID_NUMBER_RE, PHONE_RE

#: Largest upload accepted (the terminal checks this too and says so in its acknowledgement).
MAX_BYTES = 8 * 1024 * 1024
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
MAX_ENTRIES = 64
MAX_RATIO = 200
TOP_FILES = frozenset({"config.json", "devices.json", "versions.json", "outbox.json",
                       "extra.json", "recent_errors.jsonl"})
_LOG_NAME = re.compile(r"^logs/[A-Za-z0-9_.-]{1,64}$")


def problem(data: bytes) -> str | None:
    """Why ``data`` is not an acceptable diagnostics bundle, or None."""
    if len(data) > MAX_BYTES:
        return f"bundle larger than {MAX_BYTES // (1024 * 1024)} MB"
    try:
        bundle = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        return "not a zip file"
    with bundle:
        entries = bundle.infolist()
        if not entries or len(entries) > MAX_ENTRIES:
            return f"a bundle holds 1 to {MAX_ENTRIES} files"
        if sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
            return "bundle unpacks too large"
        for entry in entries:
            name = entry.filename
            if name not in TOP_FILES and not _LOG_NAME.match(name):
                return f"unexpected file {name[:80]!r} in the bundle"
            if entry.compress_size and entry.file_size / entry.compress_size > MAX_RATIO:
                return f"{name}: packed too densely"
            try:
                text = bundle.read(entry).decode("utf-8", errors="replace")
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
                return f"{name}: unreadable"
            found = personal_data(text)
            if found:
                return f"{name}: holds what looks like {found}; refused"
    return None


def personal_data(text: str) -> str:
    """"an ID number" / "a mobile number" when ``text`` holds one unmasked (the patterns the
    terminal masks with, kiosk.core.privacy), else ""."""
    if ID_NUMBER_RE.search(text):
        return "an ID number"
    if PHONE_RE.search(text):
        return "a mobile number"
    return ""

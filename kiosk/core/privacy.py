"""Masking of personal data before anything is written to a log or a report.

ID numbers are masked by pattern (110105********002X). Names and addresses have no pattern,
so a session registers the resident's strings with a `Redactor` and they are replaced until
the session is wiped. Logs carry event names and masked identifiers only.
"""

from __future__ import annotations

import re
import threading

#: 18-character resident ID numbers (and 15-digit old ones), not part of a longer number.
ID_NUMBER_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")
OLD_ID_NUMBER_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{6})(\d{3})(?![0-9A-Za-z])")
PHONE_RE = re.compile(r"(?<![0-9])(1[3-9]\d)(\d{4})(\d{4})(?![0-9])")


def mask_id_number(id_number: str) -> str:
    """Mask an ID number: keep the region and the last four characters (110105********002X)."""
    text = id_number.strip()
    if len(text) <= 10:
        return "*" * len(text)
    return text[:6] + "*" * (len(text) - 10) + text[-4:]


def mask_name(name: str) -> str:
    """Mask a name: keep the family name only (张**)."""
    return (name[:1] + "*" * (len(name) - 1)) if name else ""


def mask_text(text: str) -> str:
    """Mask every ID number and mobile number found in free text."""
    text = ID_NUMBER_RE.sub(lambda m: m.group(1) + "********" + m.group(3)[-4:], text)
    text = OLD_ID_NUMBER_RE.sub(lambda m: m.group(1) + "******" + m.group(3), text)
    return PHONE_RE.sub(lambda m: m.group(1) + "****" + m.group(3), text)


class Redactor:
    """Replaces registered personal strings (name, address...) in text; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: set[str] = set()

    def register(self, *values: str) -> None:
        """Treat each non-trivial value as personal until `clear` is called."""
        with self._lock:
            self._secrets.update(v for v in values if v and len(v.strip()) >= 2)

    def clear(self) -> None:
        """Forget every registered value (called by the session wipe)."""
        with self._lock:
            self._secrets.clear()

    def redact(self, text: str) -> str:
        """Mask patterns and registered values in ``text``."""
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            if secret in text:
                text = text.replace(secret, "[已隐去]")
        return mask_text(text)


#: The process-wide redactor used by the log handlers.
REDACTOR = Redactor()

"""Typed errors of the service-platform client.

Every failure of a platform call becomes one `PlatformError` with a closed `ErrorKind`.
``resident_text(locale)`` is what the resident reads, through the gettext catalogues: our own
sentence for the kind, or (in Chinese only) the platform's own words when it gave some for a
refusal (docs/adr/0450-one-system-for-resident-text.md). ``str(error)`` is for technicians and
logs: kind, HTTP status and the server's error code, never personal data.
"""

from __future__ import annotations

from enum import StrEnum

from kiosk.i18n import N_, platform_words


class ErrorKind(StrEnum):
    """Why a platform call failed (closed set)."""

    UNAVAILABLE = "unavailable"  # no connection, or the platform says it is unavailable
    TIMEOUT = "timeout"  # no answer in time
    REJECTED = "rejected"  # understood and refused (not eligible, session expired, ...)
    NOT_FOUND = "not_found"  # no such resident, case, certificate...
    INVALID = "invalid"  # the request was wrong (missing answer, bad score...)
    SERVER_ERROR = "server_error"  # the platform failed or answered nonsense


#: What a resident reads for each kind (msgids; translate with `PlatformError.resident_text`).
DEFAULT_MESSAGES: dict[ErrorKind, str] = {
    ErrorKind.UNAVAILABLE: N_("服务平台暂时无法连接，请稍后再试"),
    ErrorKind.TIMEOUT: N_("服务平台响应超时，请稍后再试"),
    ErrorKind.REJECTED: N_("当前无法办理该业务，请到人工窗口咨询"),
    ErrorKind.NOT_FOUND: N_("未查询到相关信息，请到人工窗口咨询"),
    ErrorKind.INVALID: N_("提交的信息有误，请检查后重试"),
    ErrorKind.SERVER_ERROR: N_("服务平台暂时出现故障，请稍后再试"),
}

#: Kinds where trying again later may succeed (the outbox keeps such submissions).
TRANSIENT_KINDS = frozenset({ErrorKind.UNAVAILABLE, ErrorKind.TIMEOUT, ErrorKind.SERVER_ERROR})


def is_transient(kind: str) -> bool:
    """True when a failure of this kind may go away by itself (try the same call later)."""
    return kind in TRANSIENT_KINDS


def kind_for_status(status: int) -> ErrorKind:
    """The error kind for an HTTP error status."""
    if status in (408, 504):
        return ErrorKind.TIMEOUT
    if status in (429, 502, 503):
        return ErrorKind.UNAVAILABLE
    if status >= 500:
        return ErrorKind.SERVER_ERROR
    if status == 404:
        return ErrorKind.NOT_FOUND
    if status in (401, 403):
        return ErrorKind.REJECTED
    return ErrorKind.INVALID


class PlatformError(Exception):
    """A platform call failed. ``resident_text(locale)`` is for the resident, ``str()`` for
    technicians. ``platform_message`` is the platform's own (Chinese) words, "" when none;
    ``message`` is the Chinese text a resident reads."""

    def __init__(
        self, kind: ErrorKind, message: str = "", *, status: int | None = None, code: str = ""
    ) -> None:
        self.kind = kind
        self.platform_message = message
        self.message = message or DEFAULT_MESSAGES[kind]
        self.status = status
        self.code = code
        super().__init__(self._technical())

    def _technical(self) -> str:
        parts = [self.kind.value]
        if self.status is not None:
            parts.append(f"http {self.status}")
        if self.code:
            parts.append(self.code)
        return ": ".join(parts)

    def resident_text(self, locale: str) -> str:
        """What the resident reads in ``locale``: the platform's own words in Chinese when it
        gave some (they cannot be translated here), else our sentence for the kind."""
        return platform_words(self.platform_message, DEFAULT_MESSAGES[self.kind], locale)

    @property
    def transient(self) -> bool:
        """True when the same call may succeed later (keep it in the outbox)."""
        return is_transient(self.kind)

    def __repr__(self) -> str:
        return f"PlatformError({self._technical()})"

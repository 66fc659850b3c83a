"""The 视频帮办 wire (docs/video-protocol.md): incoming frames parsed and checked.

Everything a terminal or a browser sends is hostile until it parses here: one JSON object per
text frame with a known "type", fields of the right kind and length. `parse_terminal` and
`parse_staff` return a typed message or raise `BadMessage` (its text is safe to log: it names
the field, never echoes the value).
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

#: Largest text frame accepted (a screenshot PNG in base64 is the big one).
MAX_FRAME_CHARS = 3 * 1024 * 1024
MAX_SDP_CHARS = 64 * 1024
MAX_HINT_CHARS = 200
MAX_NOTE_CHARS = 500
MAX_SCREEN_TEXT_CHARS = 4000
QUEUE_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"
ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"
CALL_ID_PATTERN = r"^[a-f0-9]{32}$"

Fraction = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
Title = Annotated[str, Field(max_length=128)]


class BadMessage(ValueError):
    """A frame that is not a valid message of the protocol."""


class _Message(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Request(_Message):
    """A resident asks for help."""

    type: Literal["request"]
    queue: str = Field(pattern=QUEUE_PATTERN)
    service: str = Field(pattern=ID_PATTERN)
    service_title: Title = ""
    step: str = Field(default="", max_length=64)
    step_title: Title = ""
    share_screen: bool = False
    lang: Literal["zh", "en"] = "zh"


class Cancel(_Message):
    """The resident stopped waiting."""

    type: Literal["cancel"]


class Answer(_Message):
    """The terminal's SDP answer."""

    type: Literal["answer"]
    sdp: str = Field(min_length=1, max_length=MAX_SDP_CHARS)


class Screen(_Message):
    """The step the resident is on (and its text when the screen is shared)."""

    type: Literal["screen"]
    service: str = Field(default="", max_length=64)
    service_title: Title = ""
    step: str = Field(default="", max_length=64)
    step_title: Title = ""
    text: str | None = Field(default=None, max_length=MAX_SCREEN_TEXT_CHARS)


class Screenshot(_Message):
    """A PNG of the kiosk screen (shared screens only)."""

    type: Literal["screenshot"]
    png_b64: str = Field(min_length=1, max_length=MAX_FRAME_CHARS, pattern=r"^[A-Za-z0-9+/=]+$")


class TerminalEnd(_Message):
    """The terminal ended the call."""

    type: Literal["end"]
    reason: Literal["resident", "wiped", "network"] = "resident"


class Rating(_Message):
    """The resident's 好差评 of the help."""

    type: Literal["rating"]
    call_id: str = Field(pattern=CALL_ID_PATTERN)
    score: int = Field(ge=1, le=5)


class TakeNext(_Message):
    """The staff member takes the longest-waiting call of their queues."""

    type: Literal["take_next"]


class Offer(_Message):
    """The staff browser's SDP offer (ICE gathering complete)."""

    type: Literal["offer"]
    call_id: str = Field(pattern=CALL_ID_PATTERN)
    sdp: str = Field(min_length=1, max_length=MAX_SDP_CHARS)


class Hint(_Message):
    """A short text shown on the kiosk."""

    type: Literal["hint"]
    call_id: str = Field(pattern=CALL_ID_PATTERN)
    text: str = Field(min_length=1, max_length=MAX_HINT_CHARS)


class Highlight(_Message):
    """A rectangle the kiosk draws, in fractions of its screen (origin top-left)."""

    type: Literal["highlight"]
    call_id: str = Field(pattern=CALL_ID_PATTERN)
    x: Fraction
    y: Fraction
    w: Fraction
    h: Fraction


class StaffEnd(_Message):
    """The staff member ends the call (or records the outcome of one the resident ended)."""

    type: Literal["end"]
    call_id: str = Field(pattern=CALL_ID_PATTERN)
    outcome: Literal["solved", "unsolved", "transferred"] = "solved"
    note: str = Field(default="", max_length=MAX_NOTE_CHARS)


TerminalMessage = Annotated[Request | Cancel | Answer | Screen | Screenshot | TerminalEnd | Rating,
                            Field(discriminator="type")]
StaffMessage = Annotated[TakeNext | Offer | Hint | Highlight | StaffEnd,
                         Field(discriminator="type")]
_TERMINAL: TypeAdapter[Any] = TypeAdapter(TerminalMessage)
_STAFF: TypeAdapter[Any] = TypeAdapter(StaffMessage)


def _parse(adapter: TypeAdapter[Any], text: str) -> Any:
    if len(text) > MAX_FRAME_CHARS:
        raise BadMessage("frame too large")
    try:
        data = json.loads(text)
    except ValueError:
        raise BadMessage("not JSON") from None
    if not isinstance(data, dict):
        raise BadMessage("not a JSON object")
    try:
        return adapter.validate_python(data)
    except ValidationError as exc:
        fields = sorted({".".join(str(p) for p in e["loc"]) or "type" for e in exc.errors()})
        raise BadMessage("invalid fields: " + ", ".join(fields)[:200]) from None


def parse_terminal(text: str) -> Request | Cancel | Answer | Screen | Screenshot | TerminalEnd \
        | Rating:
    """A terminal's frame as a message, or `BadMessage`."""
    message: Request | Cancel | Answer | Screen | Screenshot | TerminalEnd | Rating = _parse(
        _TERMINAL, text)
    return message


def parse_staff(text: str) -> TakeNext | Offer | Hint | Highlight | StaffEnd:
    """A staff browser's frame as a message, or `BadMessage`."""
    message: TakeNext | Offer | Hint | Highlight | StaffEnd = _parse(_STAFF, text)
    return message

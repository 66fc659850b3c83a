"""What terminals send, validated before anything touches the database.

Unknown fields are refused (extra="forbid"), strings and maps are bounded, so a terminal cannot
smuggle free text such as a resident's name into the console: a heartbeat carries versions,
device states, counts and the last update's outcome; an event carries a kind, a device name and
a short detail that is masked (kiosk.core.privacy.mask_text) before it is stored.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

#: A terminal's request body larger than this is refused before it is parsed (413).
MAX_BODY_BYTES = 32 * 1024

Short = Annotated[str, StringConstraints(max_length=64)]
#: A terminal's id for one event or usage record (its durable queue's uuid4 hex): a resend with
#: the same id is stored once (docs/adr/0701).
DeliveryId = Annotated[str, StringConstraints(min_length=8, max_length=32,
                                              pattern=r"^[0-9a-f]+$")]
Name = Annotated[str, StringConstraints(max_length=32, pattern=r"^[A-Za-z0-9_.-]*$")]


class DeviceState(StrEnum):
    """drivers.status.DeviceState values."""

    READY = "ready"
    BUSY = "busy"
    NO_DEVICE = "no_device"
    OFFLINE = "offline"
    ERROR = "error"


class SupplyState(StrEnum):
    """drivers.status.SupplyState values, plus "n/a" for devices without supplies."""

    OK = "ok"
    LOW = "low"
    OUT = "out"
    JAMMED = "jammed"
    COVER_OPEN = "cover_open"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "n/a"


class EventKind(StrEnum):
    """What a terminal can report happening."""

    DEVICE_FAULT = "device_fault"
    DEVICE_RECOVERED = "device_recovered"
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    PAPER_OK = "paper_ok"
    UPDATE_OUTCOME = "update_outcome"
    STARTED = "started"
    STOPPED = "stopped"
    RELEASE = "release"  # adoption of a bundle: "<downloaded|activated|check_failed> <v> [reason]"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DeviceIn(_Strict):
    """One device in a heartbeat (kiosk.platform.models.DeviceReport's wire form)."""

    state: DeviceState
    supplies: SupplyState = SupplyState.UNKNOWN
    reason: Annotated[str, StringConstraints(max_length=120)] = ""


class UpdateOutcome(_Strict):
    """The last flow-bundle update's outcome."""

    outcome: Short = ""
    version: Short = ""
    at: Short = ""
    #: What the terminal runs and its last update, in words (kiosk.updates.plain.summary)
    summary: Annotated[str, StringConstraints(max_length=300)] = ""


class HeartbeatIn(_Strict):
    """A heartbeat (kiosk.platform.models.HeartbeatReport's wire form, plus out_of_service)."""

    app_version: Short
    bundle_version: Short = ""
    devices: Annotated[dict[Name, DeviceIn], Field(max_length=32)] = {}
    outbox_depth: Annotated[int, Field(ge=0, le=10_000_000)] = 0
    sessions: Annotated[int, Field(ge=0, le=10_000_000)] = 0
    ratings: Annotated[int, Field(ge=0, le=10_000_000)] = 0
    last_update: UpdateOutcome = UpdateOutcome()
    out_of_service: bool = False


class EventIn(_Strict):
    """One event."""

    kind: EventKind
    device: Name = ""
    detail: Annotated[str, StringConstraints(max_length=200)] = ""
    occurred_at: datetime | None = None
    id: DeliveryId | None = None


class EventsIn(_Strict):
    """A batch of events (the outbox may deliver several at once)."""

    events: Annotated[list[EventIn], Field(min_length=1, max_length=100)]


class CommandAckIn(_Strict):
    """A terminal's answer to a command."""

    ok: bool
    outcome: Annotated[str, StringConstraints(max_length=200)] = ""


ServiceId = Annotated[str, StringConstraints(min_length=1, max_length=64,
                                             pattern=r"^[A-Za-z0-9_.-]+$")]


class UsageKind(StrEnum):
    """What a usage record counts (docs/adr/0640-usage-and-ratings-without-personal-data.md)."""

    SESSION = "session"  # a resident's session began
    COMPLETED = "completed"  # a service was completed
    RATING = "rating"  # a 好差评 was given


class RatingCategory(StrEnum):
    """The 差评 reason categories (flows.strings.RATING_REASON_KEYS, plus other for a flow's
    own reasons: their words never travel)."""

    SLOW = "slow"
    HARD = "hard"
    DEVICE = "device"
    UNCLEAR = "unclear"
    FAILED = "failed"
    OTHER = "other"


class UsageIn(_Strict):
    """One usage record: counts and codes only, never a resident's words or identity."""

    kind: UsageKind
    service: ServiceId | None = None
    score: Annotated[int, Field(ge=1, le=5)] | None = None
    category: RatingCategory | None = None
    occurred_at: datetime
    id: DeliveryId | None = None

    @model_validator(mode="after")
    def _consistent(self) -> UsageIn:
        if self.kind is UsageKind.RATING:
            if self.score is None or self.service is None:
                raise ValueError("a rating needs a service and a score")
            if self.category is not None and self.score > 2:
                raise ValueError("only a 差评 (score 1-2) has a category")
        elif self.score is not None or self.category is not None:
            raise ValueError("only a rating has a score or a category")
        if self.kind is UsageKind.COMPLETED and self.service is None:
            raise ValueError("a completion needs a service")
        return self


class UsageBatchIn(_Strict):
    """A batch of usage records."""

    records: Annotated[list[UsageIn], Field(min_length=1, max_length=100)]

"""What a run holds about its resident: one object, so that forgetting it replaces it whole.

`FlowRun.discard` (the session wipe) swaps the run's `ResidentState` for a fresh one; nothing
the resident entered, was shown or was given survives in the run except its `RunRecord` (ids,
serials, outcome: no personal data). A new field added here is wiped with the rest, without
anyone having to remember it (tests/flows/test_discard_leaves_no_resident_state.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flows.documents import CertificateDocument, ReceiptDocument
from flows.ports import (
    ApplicationOutcome,
    Appointment,
    CapturedDocument,
    HeldLicence,
    IssuedCertificate,
    Licence,
)


def _empty_report() -> dict[str, str]:
    return {"category": "", "description": ""}


def _empty_rating() -> dict[str, Any]:
    return {"score": 0, "reasons": []}


@dataclass(slots=True)
class ResidentState:
    """The per-resident state of one run (every field is forgotten by `FlowRun.discard`)."""

    answers: dict[str, Any] = field(default_factory=dict)
    prefilled: set[str] = field(default_factory=set)  # answer keys taken from platform data
    data: dict[str, Any] = field(default_factory=dict)  # what steps fetched, for templates
    error: str = ""  # the problem shown on the current screen
    editing: bool = False  # answering a question reached from the check page
    profile: Mapping[str, str] = field(default_factory=dict)
    prefill: Mapping[str, str] = field(default_factory=dict)
    prefill_loaded: bool = False
    licences: tuple[Licence, ...] | None = None  # None: not asked yet
    attached: list[str] = field(default_factory=list)  # licence ids used instead of paper
    captures: dict[str, CapturedDocument] = field(default_factory=dict)
    records: dict[str, dict[str, Any] | None] = field(default_factory=dict)  # step -> page
    prints: dict[str, str] = field(default_factory=dict)  # step -> done | failed | refused
    issued: dict[str, IssuedCertificate] = field(default_factory=dict)
    documents: dict[str, CertificateDocument] = field(default_factory=dict)
    last_receipt: ReceiptDocument | None = None
    submitted: ApplicationOutcome | Appointment | None = None
    report_draft: dict[str, str] = field(default_factory=_empty_report)
    report_from: str = ""  # the step the report was opened from
    report_step: str = ""  # set when the report is a step of the flow itself
    report_context: str = ""  # the problem on screen when the report was opened
    report_result: tuple[str, int] = ("", 0)  # (report id, reply within days)
    rate_draft: dict[str, Any] = field(default_factory=_empty_rating)
    rated: bool = False
    holdings: tuple[HeldLicence, ...] | None = None  # licence_copy: None = not asked yet
    holding: str = ""  # licence_copy: the licence id chosen
    purpose: str = ""  # licence_copy: what the copy is for

    def new_report(self, from_step: str, context: str) -> None:
        """Start an empty report opened from ``from_step`` with the problem shown then."""
        self.report_from = from_step
        self.report_draft = _empty_report()
        self.report_context = context

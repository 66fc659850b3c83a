"""What the engine asks the UI to show, and what the resident does: the engine <-> UI contract.

The engine yields one immutable `View` per step; the UI renders it and sends back an `Intent`.
Views carry display-ready text in the session's language (the engine resolves strings), so the
UI never interprets flow data. Everything here is plain data: no Kivy, no I/O.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class StepKind(StrEnum):
    """The fixed step library; each kind has one screen in the UI."""

    IDENTIFY = "identify"  # ask for an ID card / social security card / QR code / face
    CHOOSE = "choose"  # pick one of `options`
    FORM = "form"  # one question per page: `field`
    CHECK = "check"  # check your answers: `fields`, each may be changed
    CAPTURE = "capture"  # photograph paper material with the document camera
    LICENCE = "licence"  # attach electronic licences instead of paper: `options` (multi)
    SUBMIT = "submit"  # submitting (busy)
    RESULT = "result"  # outcome: accepted / approved / refused, with `body`
    RECORDS = "records"  # a paged `table` of records
    PRINT_CERTIFICATE = "print_certificate"
    PRINT_RECEIPT = "print_receipt"
    GUIDE = "guide"  # 办事指南: `sections`
    RATE = "rate"  # 好差评
    REPORT = "report"  # 办不成事反映
    MESSAGE = "message"  # plain information with actions (errors, notices, benefits)
    LICENCE_COPY = "licence_copy"  # held e-licences: choose one, preview, purpose, print A4
    DONE = "done"  # the flow has ended; the UI returns home / wipes


class FieldKind(StrEnum):
    """How a form field is entered (which on-screen keyboard)."""

    TEXT = "text"
    DIGITS = "digits"
    ID_NUMBER = "id_number"  # digits plus X
    PHONE = "phone"
    DATE = "date"
    CHOICE = "choice"


@dataclass(frozen=True, slots=True)
class Option:
    """A choice the resident can pick; ``detail`` is a second, smaller line."""

    value: str
    label: str
    detail: str = ""
    selected: bool = False
    enabled: bool = True
    reason: str = ""  # why it is disabled (e.g. a device is out of order)


@dataclass(frozen=True, slots=True)
class Field:
    """One form field with its current value and validation error (if any)."""

    key: str
    label: str
    kind: FieldKind = FieldKind.TEXT
    value: str = ""
    prefilled: bool = False  # 智能预填: came from data the platform already holds
    required: bool = True
    hint: str = ""
    error: str = ""
    options: tuple[Option, ...] = ()
    max_length: int = 64


@dataclass(frozen=True, slots=True)
class Table:
    """A page of records."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    page: int = 1
    pages: int = 1
    total: int = 0
    summary: str = ""


@dataclass(frozen=True, slots=True)
class Section:
    """A titled block of text (guide sections, result details)."""

    title: str
    text: str


@dataclass(frozen=True, slots=True)
class Action:
    """A button: ``name`` is sent back in the Intent; ``primary`` is the main one."""

    name: str
    label: str
    primary: bool = False
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class View:
    """Everything one screen shows for one step."""

    step_id: str
    kind: StepKind
    title: str
    service_title: str = ""
    body: str = ""
    error: str = ""  # a plain-language problem to show prominently
    options: tuple[Option, ...] = ()
    multiple: bool = False  # options allow several choices
    field: Field | None = None
    fields: tuple[Field, ...] = ()
    table: Table | None = None
    sections: tuple[Section, ...] = ()
    actions: tuple[Action, ...] = ()
    progress: tuple[int, int] = (0, 0)  # step n of m, (0, 0) when unknown
    outcome: str = ""  # RESULT: accepted | approved | refused | queued; PRINT_*: done | failed
    reference: str = ""  # case number, certificate serial, ticket number
    speech: str = ""  # what voice guidance says for this screen
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)


class IntentAction(StrEnum):
    """What the resident (or a device, for IDENTIFIED and SCANNED) did: the closed set of
    `Intent.action` values, which are also the `Action.name` of the buttons that send them.

    A `StrEnum`, so ``Intent("next")`` and ``Intent(IntentAction.NEXT)`` are the same intent.
    """

    NEXT = "next"
    BACK = "back"
    CANCEL = "cancel"  # leave the service (退出办理)
    GUIDE = "guide"  # open the service guide (办事指南)
    CHOOSE = "choose"  # value: option value or list of values
    ANSWER = "answer"  # value: text
    EDIT = "edit"  # value: field key
    CONFIRM = "confirm"
    CAPTURE = "capture"  # photograph the material (again)
    RETRY = "retry"
    SKIP = "skip"
    SUBMIT = "submit"
    SEND = "send"
    PAGE = "page"  # value: page number
    PAGE_PREV = "page_prev"
    PAGE_NEXT = "page_next"
    PRINT = "print"
    FINISH = "finish"
    RATE = "rate"  # value: {"score": 1-5, "reasons": [...]}
    REPORT = "report"  # 办不成事: value: text
    RESUME = "resume"
    IDENTIFIED = "identified"  # the kiosk identified the resident (card, code, face)
    SCANNED = "scanned"  # value: the scanned code


@dataclass(frozen=True, slots=True)
class Intent:
    """What the resident did: an action (`IntentAction`) and an optional value."""

    action: str
    value: Any = None

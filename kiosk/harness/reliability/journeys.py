"""Headless residents on a built kiosk: one full journey through the kiosk's real ports.

A journey starts a session, identifies a sandbox resident with the platform (as the identity
event of a card would), runs one service with `flows.headless.drive` answering from the
service's fixtures, and ends the session (the wipe). Used by the crash test's journey runner
and by `kiosk bench soak`. Synthetic residents only (kiosk.sandbox.seed).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from drivers.identity import DocumentKind, Identity
from flows.headless import drive
from kiosk.composition import BUILTIN_CATALOGUE
from kiosk.sandbox.seed import by_key


@dataclass(frozen=True, slots=True)
class Journey:
    """One resident doing one service."""

    service: str
    resident: str  # a sandbox seed key
    kind: str  # submit | print | query


#: The journeys of the crash test and the soak: submissions and certificate prints.
SUBMIT_JOURNEYS = (
    Journey("residence-registration", "migrant", "submit"),
    Journey("appointment", "spouse_of_owner", "submit"),
    Journey("problem-report", "worker", "submit"),
)
PRINT_JOURNEYS = (
    Journey("social-insurance-certificate", "worker", "print"),
    Journey("provident-fund-certificate", "spouse_of_owner", "print"),
)
QUERY_JOURNEYS = (
    Journey("social-insurance-payments", "migrant", "query"),
    Journey("medical-insurance-account", "mother", "query"),
)


@cache
def fixture_answers(service: str, catalogue: Path = BUILTIN_CATALOGUE) -> dict[str, Any]:
    """The answers a scripted resident gives for ``service`` (from its fixtures.yaml)."""
    path = catalogue / service / "fixtures.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    return dict((data or {}).get("answers") or {})


def identity_of(resident_key: str) -> Identity:
    """The ID card identity of a sandbox resident (what the card reader would deliver)."""
    seed = by_key(resident_key)
    return Identity(DocumentKind.RESIDENT_ID, seed.name, seed.id_number, seed.sex,
                    seed.birth_date, address=seed.address)


def begin_journey(parts: Any, journey: Journey) -> Any:
    """Start a session, identify the journey's resident and start its service; return the run
    (the caller ends the session with ``parts.lifecycle.end()``)."""
    session = parts.lifecycle.start("journey")
    identity = identity_of(journey.resident)
    token, display_name = parts.controller.verifier.verify("idcard", identity)
    session.resident = identity
    session.resident_token = token
    session.display_name = display_name
    return parts.catalogue.start(journey.service, {"session": session})


def run_journey(parts: Any, journey: Journey, catalogue: Path = BUILTIN_CATALOGUE) -> list[Any]:
    """Run one journey to DONE on a built kiosk; return the views seen. The session is always
    ended (wiped), also when the journey fails."""
    try:
        run = begin_journey(parts, journey)
        return drive(run, fixture_answers(journey.service, catalogue))
    finally:
        parts.lifecycle.end("journey_done")

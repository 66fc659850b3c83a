"""What the terminal tells the console about a bundle it was offered (staged rollout adoption,
docs/adr/0721-rollout-stages-groups-adoption.md): downloaded, activated, or check failed with
the terminal's reason. Codes, a version and a check message only: no personal data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kiosk.core.privacy import mask_text
from kiosk.platform.console_client import event

#: The updater's outcome (kiosk.updates.state.OutcomeKind) -> the adoption state reported.
_STATES = {"staged": "downloaded", "activated": "activated", "rolled_back": "check_failed",
           "rejected": "check_failed"}


def adoption_event(update: Mapping[str, Any]) -> dict[str, Any] | None:
    """The console event for the updater's heartbeat fields, or None when there is nothing to
    report (no outcome yet, or a refusal not tied to a bundle version)."""
    state = _STATES.get(str(update.get("update_outcome", "")))
    version = update.get("update_version")
    if state is None or not isinstance(version, int) or isinstance(version, bool):
        return None
    detail = f"{state} {version}"
    reason = str(update.get("update_reason") or "")
    if state == "check_failed" and reason:
        detail += f" {' '.join(reason.split())}"
    return event("release", "", mask_text(detail)[:200])

"""Adoption reports from terminals (kiosk/console/rollout.py) on SQLite and PostgreSQL, through
the real terminal API: a reason carrying an ID number or a phone number is stored masked; a
malformed or hostile detail is stored as an event but changes no adoption; a late "downloaded"
does not hide an activation; the rollout pauses itself when failures reach the percentage
threshold (here: one terminal in ten is 10 %) and raises exactly one alert, which no heartbeat
resolves; once a person resumes it, the same failures reported again (a kiosk restarting) do
not pause it again, a new failure does."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kiosk.console.db import utcnow
from kiosk.console.models import Adoption, Alert, Release, Rollout
from kiosk.ops.adoption import adoption_event
from kiosk.platform.console_client import ConsoleClient, event
from tests.console.helpers import Console

ID = "110105199001011234"
PHONE = "13812345678"


def _published(console: Console, version: int) -> int:
    with console.sessions() as db:
        release = Release(version=version, sha256="0" * 64, size=1, audiences="staged",
                          state="published", problems=[], diff={}, prepared=None,
                          uploaded_by="wang", uploaded_at=utcnow(), published_at=utcnow())
        db.add(release)
        db.flush()
        db.add(Rollout(release_id=release.id, stage="all", pilot_group="", percent=100,
                       paused=False, paused_reason="", withdrawn=False, failures_accepted=0,
                       max_failures=5, max_failure_percent=10,
                       updated_at=utcnow()))
        db.commit()
        return release.id


@pytest.mark.parametrize("console", ["sqlite", "postgresql"], indirect=True)
def test_reports_are_masked_checked_and_pause_at_the_threshold(console: Console) -> None:
    release_id = _published(console, 7)
    clients = {f"T-{n}": ConsoleClient(console.url, f"T-{n}", console.enrol(f"T-{n}"))
               for n in range(10)}
    first = clients["T-0"]
    first.events([event("release", "", "activated 7"), event("release", "", "downloaded 7"),
                  event("release", "", "activated seven; DROP TABLE releases"),
                  event("release", "", "check_failed 99999999999 overflow")])
    for tid in ("T-1", "T-2"):
        clients[tid].events([adoption_event({"update_outcome": "staged",
                                             "update_version": 7})])  # type: ignore[list-item]
    with console.sessions() as db:
        rows = {a.terminal_id: a.state for a in db.scalars(select(Adoption))}
        assert rows == {"T-0": "activated", "T-1": "downloaded", "T-2": "downloaded"}
        assert not db.get(Rollout, release_id).paused  # type: ignore[union-attr]

    failed = adoption_event({"update_outcome": "rolled_back", "update_version": 7,
                             "update_reason": f"check failed, back to 6: printer said {ID} "
                                              f"and {PHONE}"})
    assert failed is not None and ID not in failed["detail"]
    clients["T-3"].events([failed])
    # A terminal that does not mask (older app): the console masks on arrival.
    clients["T-4"].events([event("release", "", f"check_failed 7 reason with {ID} inside")])

    with console.sessions() as db:
        reasons = [a.reason for a in db.scalars(select(Adoption).where(
            Adoption.state == "check_failed"))]
        rollout = db.get(Rollout, release_id)
        alerts = list(db.scalars(select(Alert).where(Alert.kind == "rollout_paused")))
    assert len(reasons) == 2 and not any(ID in r or PHONE in r for r in reasons)
    assert any("110105********1234" in r for r in reasons)
    assert rollout is not None and rollout.paused  # the first failure already was 10 %
    assert "1 台终端检查未通过" in rollout.paused_reason
    assert len(alerts) == 1 and alerts[0].terminal_id == "T-3"

    clients["T-3"].heartbeat({"app_version": "0.1.0", "devices": {}})
    with console.sessions() as db:
        alert = db.scalar(select(Alert).where(Alert.kind == "rollout_paused"))
        assert alert is not None and alert.state == "open"  # a heartbeat never resolves it

    console.add_user("wang", "admin")
    admin = console.login("wang")
    assert admin.post(f"/releases/{release_id}/resume").status_code == 200
    clients["T-3"].events([failed])  # the kiosk restarted and says it again
    with console.sessions() as db:
        assert not db.get(Rollout, release_id).paused  # type: ignore[union-attr]
        assert db.scalar(select(Alert).where(Alert.kind == "rollout_paused")).state \
            == "resolved"  # type: ignore[union-attr]
    clients["T-5"].events([event("release", "", "check_failed 7 slot vanished")])
    with console.sessions() as db:
        assert db.get(Rollout, release_id).paused  # type: ignore[union-attr]  # a new one

"""Staged rollout from the console (kiosk/console/rollout.py, routes/rollout.py): groups kept
centrally and audited; a release published "staged" reaches nobody until the pilot stage, then
only the pilot group, then a share of the fleet by stable bucket, then everyone. Real terminal
updaters poll the TUF folder over HTTP and report adoption through the real terminal API; a
release whose check fails on two terminals pauses itself and raises an alert; a paused rollout
does not widen; rollback is a new version that again needs two signatures.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.console.models import Adoption, Alert, AuditEntry, Rollout
from kiosk.ops.adoption import adoption_event
from kiosk.platform.console_client import ConsoleClient
from kiosk.updates import rollout as tuf_rollout
from kiosk.updates.bundle import build_archive
from kiosk.updates.checks import bundle_check
from kiosk.updates.terminal import BundleUpdater
from tests.console.helpers import Browser
from tests.console.test_release_needs_two_people import (  # noqa: F401
    PASSPHRASES,
    Rig,
    _people,
    _upload,
    rig,
)
from tests.updates.conftest import CREATED, SERVICES, write_flows

pytestmark = pytest.mark.slow


class Fleet:
    """Enrolled terminals with real updaters that report adoption like the kiosk does."""

    def __init__(self, setup: Rig) -> None:
        self.rig = setup
        self.updaters: dict[str, BundleUpdater] = {}
        self.clients: dict[str, ConsoleClient] = {}

    def add(self, terminal_id: str, check=bundle_check) -> None:  # type: ignore[no-untyped-def]
        token = self.rig.console.enrol(terminal_id)
        self.clients[terminal_id] = ConsoleClient(self.rig.console.url, terminal_id, token)
        self.updaters[terminal_id] = BundleUpdater(
            data_dir=self.rig.tmp / "terminals" / terminal_id, repo_url=self.rig.server.url,
            trusted_root=self.rig.trusted_root, terminal_id=terminal_id, is_idle=lambda: True,
            check_bundle=check)

    def poll(self, terminal_id: str) -> int | None:
        """One poll, then the adoption report the console link would send; the active version."""
        updater = self.updaters[terminal_id]
        updater.poll()
        found = adoption_event(updater.heartbeat())
        if found is not None:
            self.clients[terminal_id].events([found])
        active = updater.active_bundle()
        return active.version if active else None


def _publish(setup: Rig, people: dict[str, Browser], archive: Path) -> str:
    page = _upload(people["wang"], archive.name, archive.read_bytes(), audience="staged")
    assert "待签署" in page.text, page.text[:800]
    url = page.url.removeprefix(setup.console.url)
    return _sign_and_publish(people, url)


def _sign_and_publish(people: dict[str, Browser], url: str) -> str:
    for name in ("wang", "li"):
        people[name].post(f"{url}/sign", {"passphrase": PASSPHRASES[name]})
    done = people["li"].post(f"{url}/publish")
    assert "已发布" in done.text, done.text[:800]
    return url


def _not_in_bucket(limit: int) -> str:
    return next(f"T-{n:03d}" for n in range(999) if tuf_rollout.bucket_of(f"T-{n:03d}") >= limit)


def test_pilot_then_percentage_then_all_with_live_adoption(rig: Rig) -> None:  # noqa: F811
    people = _people(rig)
    admin = people["wang"]
    fleet = Fleet(rig)
    in_bucket = next(f"T-{n:03d}" for n in range(999) if tuf_rollout.bucket_of(f"T-{n:03d}") < 30)
    outside = _not_in_bucket(30)
    for tid in ("T-PILOT", in_bucket, outside):
        fleet.add(tid)

    bad_group = admin.post("/groups", {"terminal_id": "T-PILOT", "groups": "pilot ../x"})
    assert bad_group.status_code == 400 and "分组名无效" in bad_group.text
    assert admin.post("/groups", {"terminal_id": "T-PILOT", "groups": "pilot"}).status_code == 200
    enrolled = admin.post("/enrol", {"terminal_id": "BJ-CY-0077", "district": "朝阳区",
                                     "site": "望京", "group_name": "pilot"})
    assert enrolled.status_code == 200
    groups_page = admin.get("/groups").text
    assert "pilot：2 台" in groups_page  # the group typed at enrolment is a central group
    viewer = rig.console
    viewer.add_user("chen", "viewer")
    refused = viewer.login("chen").post("/groups", {"terminal_id": "T-PILOT", "groups": "x"})
    assert refused.status_code == 403

    url = _publish(rig, people, rig.build(1))
    assert all(fleet.poll(t) is None for t in fleet.updaters)  # published to nobody yet

    answer = admin.post(f"{url}/rollout", {"stage": "pilot", "group": "pilot"})
    assert answer.status_code == 200 and "试点分组" in answer.text, answer.text[:500]
    assert fleet.poll("T-PILOT") == 1
    assert fleet.poll(in_bucket) is None and fleet.poll(outside) is None
    table = admin.get(f"{url}/adoption", headers={"HX-Request": "true"}).text
    assert 'class="adoption-activated" data-terminal="T-PILOT"' in table
    assert 'id="count-activated">1<' in table

    narrower = admin.post(f"{url}/rollout", {"stage": "pilot", "group": "pilot"})
    assert narrower.status_code == 200  # same stage again: nothing new, no error
    assert admin.post(f"{url}/rollout", {"stage": "percent", "percent": "30"}).status_code == 200
    assert fleet.poll(in_bucket) == 1 and fleet.poll(outside) is None
    back = admin.post(f"{url}/rollout", {"stage": "percent", "percent": "10"})
    assert back.status_code == 400 and "比例应在 30–100" in back.text
    table = admin.get(f"{url}/adoption").text
    assert f'class="adoption-unseen" data-terminal="{outside}"' not in table  # not targeted yet

    assert admin.post(f"{url}/rollout", {"stage": "all"}).status_code == 200
    table = admin.get(f"{url}/adoption").text
    assert f'class="adoption-unseen" data-terminal="{outside}"' in table
    assert fleet.poll(outside) == 1
    assert 'id="count-activated">3<' in admin.get(f"{url}/adoption").text

    with rig.console.sessions() as db:
        actions = [e.action for e in db.scalars(select(AuditEntry))]
    for action in ("terminal_groups", "rollout_stage", "rollout_stage_refused"):
        assert action in actions, action


def test_failures_pause_the_rollout_raise_an_alert_and_rollback_needs_two(rig: Rig) -> None:  # noqa: F811
    people = _people(rig)
    admin = people["wang"]
    fleet = Fleet(rig)

    def strict_site_check(slot: Path) -> list[str]:
        """This site's extra check (the ADR 0164 seam): the receipt printer here is narrower
        than some receipt lines of the bundle."""
        wide = [f"{p.relative_to(slot)}:{n}: line wider than the 32 columns of this site's "
                "58 mm receipt printer" for p in sorted(slot.rglob("*.txt"))
                for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                if len(line) > 32]
        return bundle_check(slot) or wide[:3]

    for n in range(5):
        fleet.add(f"T-P{n}", check=strict_site_check if n < 2 else bundle_check)
        admin.post("/groups", {"terminal_id": f"T-P{n}", "groups": "pilot"})
    fleet.add("T-OTHER")
    good = _publish(rig, people, rig.build(1))
    admin.post(f"{good}/rollout", {"stage": "all"})
    assert all(fleet.poll(t) == 1 for t in fleet.updaters)

    flows = write_flows(rig.tmp / "wide", 2)
    (flows / SERVICES[1] / "notice.txt").write_text("请携带身份证原件。\n" + "办理须知" * 12 + "\n",
                                                   encoding="utf-8")
    wide = rig.tmp / "flows-2.tar.gz"
    build_archive(flows, wide, 2, "0.1.0", created=CREATED)
    url = _publish(rig, people, wide)
    assert admin.post(f"{url}/threshold", {"max_failures": "2",
                                          "max_failure_percent": "50"}).status_code == 200
    admin.post(f"{url}/rollout", {"stage": "pilot", "group": "pilot"})
    assert fleet.poll("T-P2") == 2 and fleet.poll("T-P3") == 2
    assert fleet.poll("T-P0") == 1  # its check failed: back to 1 by itself
    with rig.console.sessions() as db:
        assert not db.get(Rollout, 2).paused  # type: ignore[union-attr]  # 1 of 5 < threshold
    assert fleet.poll("T-P1") == 1
    page = admin.get(url).text
    assert 'id="paused"' in page and "2 台终端检查未通过" in page
    table = admin.get(f"{url}/adoption").text
    assert 'class="adoption-check_failed" data-terminal="T-P0"' in table
    assert f"{SERVICES[1]}/notice.txt:2: line wider" in table
    with rig.console.sessions() as db:
        alert = db.scalar(select(Alert).where(Alert.kind == "rollout_paused"))
        reports = {a.terminal_id: a.state for a in db.scalars(select(Adoption).where(
            Adoption.version == 2))}
    assert alert is not None and alert.state == "open" and "版本 2" in alert.detail
    assert reports == {"T-P0": "check_failed", "T-P1": "check_failed", "T-P2": "activated",
                       "T-P3": "activated"}
    assert "更新推送已自动暂停" in admin.get("/alerts").text

    assert fleet.poll("T-P4") == 1  # a pilot member that had not polled yet: taken back
    widen = admin.post(f"{url}/rollout", {"stage": "all"})
    assert widen.status_code == 400 and "已暂停" in widen.text
    assert fleet.poll("T-OTHER") == 1  # the pause held: the rest of the fleet keeps 1

    # Rollback to 1: a NEW version 3 with 1's content, signed by two people again.
    page = admin.post(f"{good}/rollback")
    assert "待签署" in page.text and "版本 3" in page.text, page.text[:600]
    rollback_url = page.url.removeprefix(rig.console.url)
    alone = people["li"].post(f"{rollback_url}/publish")
    assert alone.status_code == 400 and rig.repo.latest_version() == 2
    _sign_and_publish(people, rollback_url)
    assert admin.post(f"{rollback_url}/rollout", {"stage": "all"}).status_code == 200
    assert all(fleet.poll(t) == 3 for t in fleet.updaters)

    assert admin.post(f"{url}/resume").status_code == 200
    with rig.console.sessions() as db:
        alert = db.scalar(select(Alert).where(Alert.kind == "rollout_paused"))
        assert alert is not None and alert.state == "resolved"


def test_a_paused_percentage_is_taken_back_from_terminals_that_had_not_taken_it(
        rig: Rig) -> None:  # noqa: F811
    people = _people(rig)
    admin = people["wang"]
    fleet = Fleet(rig)
    low = [f"T-{n:03d}" for n in range(999) if tuf_rollout.bucket_of(f"T-{n:03d}") < 50][:2]
    for tid in low:
        fleet.add(tid)
    first = _publish(rig, people, rig.build(1))
    admin.post(f"{first}/rollout", {"stage": "all"})
    assert all(fleet.poll(t) == 1 for t in low)

    url = _publish(rig, people, rig.build(2))
    assert admin.post(f"{url}/rollout", {"stage": "percent", "percent": "50"}).status_code == 200
    assert fleet.poll(low[0]) == 2  # took it and reported
    assert admin.post(f"{url}/pause").status_code == 200
    assert "已暂停" in admin.get(url).text
    assert fleet.poll(low[1]) == 1  # had not seen it: the bucket was taken back
    assert fleet.poll(low[0]) == 2
    assert fleet.updaters[low[0]].last_check().kind == "ok"  # never offered less than it saw
    assert rollout_paths_point(rig, low[0]) == 2

    assert admin.post(f"{url}/resume").status_code == 200
    assert fleet.poll(low[1]) == 2
    with rig.console.sessions() as db:
        actions = [e.action for e in db.scalars(select(AuditEntry))]
    assert "rollout_pause" in actions and "rollout_resume" in actions


def rollout_paths_point(setup: Rig, terminal_id: str) -> int:
    """The highest version the rollout role offers a terminal now."""
    now_at = tuf_rollout.current(setup.repo)
    return max(now_at.get(p, 0) for p in tuf_rollout.rollout_paths(terminal_id))

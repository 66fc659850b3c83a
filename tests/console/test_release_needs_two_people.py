"""Releases in the console (kiosk/console/routes/releases.py): an admin uploads a bundle, the
page shows what it adds, changes and removes (removals in red), and it reaches the fleet only
once two different people (one of them 审核) have signed it with their own keys. A real terminal
updater polls the published folder over HTTP before and after.
"""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.console.app import create_app
from kiosk.console.models import AuditEntry, Release, SigningKey
from kiosk.console.server import start_server
from kiosk.console.settings import ConsoleSettings
from kiosk.updates.bundle import build_archive
from kiosk.updates.httpserve import RepoServer
from kiosk.updates.repository import Audience, Repository
from kiosk.updates.terminal import BundleUpdater
from tests.console.conftest import Clock
from tests.console.helpers import Browser, Console
from tests.updates.conftest import (
    CREATED,
    GROUP,
    SERVICES,
    TERMINAL_ID,
    evil_member,
    write_flows,
)

PASSPHRASES = {"wang": "wang-signing-passphrase", "li": "li-signing-passphrase",
               "zhao": "zhao-signing-passphrase"}


@dataclass
class Rig:
    """A console whose release pages write to a real TUF folder served over HTTP."""

    console: Console
    repo: Repository
    server: RepoServer
    tmp: Path
    trusted_root: bytes

    def build(self, version: int, drop: str = "") -> Path:
        """A bundle of the two test services at ``version`` (minus ``drop``)."""
        flows = write_flows(self.tmp / f"flows-{version}", version)
        if drop:
            shutil.rmtree(flows / drop)
        out = self.tmp / f"flows-{version}.tar.gz"
        build_archive(flows, out, version, "0.1.0", created=CREATED)
        return out

    def terminal(self) -> BundleUpdater:
        """The terminal's real updater against the published folder."""
        return BundleUpdater(data_dir=self.tmp / "terminal", repo_url=self.server.url,
                             trusted_root=self.trusted_root, terminal_id=TERMINAL_ID,
                             groups=(GROUP,), is_idle=lambda: True)


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    repo = Repository(tmp_path / "published", tmp_path / "online-keys")
    root = repo.init()
    settings = ConsoleSettings(database_url=f"sqlite:///{tmp_path / 'console.db'}",
                               update_repo_dir=str(repo.repo_dir),
                               update_keys_dir=str(repo.keys_dir),
                               release_dir=str(tmp_path / "releases"),
                               max_bundle_bytes=256 * 1024)
    clock = Clock()
    app = create_app(settings, clock=clock)
    handle = start_server(app)
    try:
        with RepoServer(repo.repo_dir) as server:
            yield Rig(Console(handle.url, app.state.sessions, clock, settings.database_url or ""),
                      repo, server, tmp_path, root.to_bytes())
    finally:
        handle.stop()


def _upload(browser: Browser, name: str, data: bytes, audience: str = "all"):  # type: ignore[no-untyped-def]
    return browser.http.post(f"{browser.base}/releases", timeout=60,
                             data={"csrf_token": browser.csrf, "audience": audience},
                             files={"bundle": (name, data, "application/gzip")})


def _people(rig: Rig) -> dict[str, Browser]:
    rig.console.add_user("wang", "admin")
    rig.console.add_user("li", "approver")
    browsers = {name: rig.console.login(name) for name in ("wang", "li")}
    for name, browser in browsers.items():
        answer = browser.post("/signing-key", {"passphrase": PASSPHRASES[name],
                                               "confirm": PASSPHRASES[name]})
        assert answer.status_code == 200 and "我的签名密钥" not in answer.text, answer.text[:300]
    enabled = browsers["wang"].post("/releases/two-person")
    assert "已启用双人签名" in enabled.text, enabled.text[:500]
    return browsers


@pytest.mark.slow
def test_release_reaches_the_terminal_only_after_two_people_sign(rig: Rig) -> None:
    rig.repo.publish(rig.build(1), [Audience("all")])
    terminal = rig.terminal()
    assert terminal.poll().version == 1
    people = _people(rig)
    assert rig.repo.root().signed.roles["targets"].threshold == 2

    # Bundle 2 drops one service and changes the other: the page says so, removal in red.
    page = _upload(people["wang"], "../../etc/flows-2.tar.gz",
                   rig.build(2, drop=SERVICES[0]).read_bytes())
    assert page.status_code == 200 and "待签署" in page.text, page.text[:800]
    assert 'id="removed-warning"' in page.text and "移除 1 个事项" in page.text
    assert f'<tr class="removed" style="color:#b42318"><td>移除</td><td>{SERVICES[0]}</td>' \
        in page.text
    assert f"<td>变更</td><td>{SERVICES[1]}</td><td>1.0.0</td><td>2.0.0</td>" in page.text
    release_url = page.url.removeprefix(rig.console.url)
    assert not (rig.tmp / "etc").exists()  # the upload's name is never used as a path

    unconfirmed = people["wang"].post(f"{release_url}/sign",
                                      {"passphrase": PASSPHRASES["wang"]})
    assert unconfirmed.status_code == 400 and "我确认移除这些事项" in unconfirmed.text
    wrong = people["wang"].post(f"{release_url}/sign", {"passphrase": "not-my-passphrase",
                                                        "confirm_removal": "yes"})
    assert wrong.status_code == 400 and "签名口令不正确" in wrong.text
    assert people["wang"].post(f"{release_url}/sign", {
        "passphrase": PASSPHRASES["wang"], "confirm_removal": "yes"}).status_code == 200
    twice = people["wang"].post(f"{release_url}/sign", {"passphrase": PASSPHRASES["wang"],
                                                        "confirm_removal": "yes"})
    assert twice.status_code == 400 and "需要另一位人员签署" in twice.text
    alone = people["wang"].post(f"{release_url}/publish")
    assert alone.status_code == 400 and "两位不同人员" in alone.text
    assert rig.repo.latest_version() == 1
    assert terminal.poll().version in (None, 1)
    assert terminal.active_bundle().version == 1  # type: ignore[union-attr]

    assert people["li"].post(f"{release_url}/sign", {
        "passphrase": PASSPHRASES["li"], "confirm_removal": "yes"}).status_code == 200
    done = people["li"].post(f"{release_url}/publish")
    assert done.status_code == 200 and "已发布" in done.text, done.text[:800]
    outcome = terminal.poll()
    assert terminal.active_bundle().version == 2, outcome  # type: ignore[union-attr]

    with rig.console.sessions() as db:
        actions = [e.action for e in db.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        keys = list(db.scalars(select(SigningKey)))
        publish = db.scalar(select(AuditEntry).where(AuditEntry.action == "release_publish"))
    for action in ("signing_key_create", "repository_two_person", "release_upload",
                   "release_sign", "release_sign_refused", "release_publish_refused",
                   "release_publish"):
        assert action in actions, action
    assert publish is not None and json.loads(publish.detail)["signers"] == ["li", "wang"]
    assert all(k.encrypted_pem.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----") for k in keys)


@pytest.mark.slow
def test_hostile_and_broken_uploads_are_refused_plainly(rig: Rig) -> None:
    rig.repo.publish(rig.build(1), [Audience("all")])
    people = _people(rig)
    admin = people["wang"]
    releases_dir = rig.tmp / "releases"

    not_gzip = _upload(admin, "flows.tar.gz", b"<?php system($_GET['c']); ?>")
    assert not_gzip.status_code == 400 and "不是更新包" in not_gzip.text
    assert not releases_dir.exists() or not list(releases_dir.iterdir())  # nothing kept

    too_big = _upload(admin, "flows.tar.gz", b"\x1f\x8b" + b"\0" * (400 * 1024))
    assert too_big.status_code == 413 and "内容过大" in too_big.text
    assert "Traceback" not in too_big.text
    chunked = admin.http.post(f"{admin.base}/releases", timeout=30,
                              headers={"Content-Type": "multipart/form-data; boundary=x"},
                              data=iter([b"--x\r\n", b"\0" * 1024]))  # no length declared
    assert chunked.status_code == 413 and "没有注明大小" in chunked.text

    good = rig.build(2)
    evil = rig.tmp / "evil.tar.gz"
    with tarfile.open(good, "r:gz") as src, tarfile.open(evil, "w:gz") as dst:
        for member in src.getmembers():
            dst.addfile(member, src.extractfile(member))
        info, data = evil_member("../../outside.txt")
        dst.addfile(info, io.BytesIO(data))
    traversal = _upload(admin, "evil.tar.gz", evil.read_bytes())
    assert "未通过检查" in traversal.text and "outside.txt" in traversal.text
    assert not (rig.tmp / "outside.txt").exists()
    assert "publish-form" not in traversal.text and "sign-form" not in traversal.text

    flows = write_flows(rig.tmp / "broken", 3, broken=False)
    flow = flows / SERVICES[1] / "flow.yaml"
    flow.write_text(flow.read_text(encoding="utf-8").replace(
        f"id: {SERVICES[1]}", f"id: {SERVICES[1]}-renamed", 1), encoding="utf-8")
    broken = rig.tmp / "broken.tar.gz"
    build_archive(flows, broken, 3, "0.1.0", created=CREATED)
    report = _upload(admin, "broken.tar.gz", broken.read_bytes())
    assert "未通过检查" in report.text
    line = next(n for n, text in enumerate(flow.read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith("id:"))
    assert f"<td>{SERVICES[1]}/flow.yaml</td><td>{line}</td><td>service id" in report.text, \
        report.text[:1500]
    assert "/tmp/" not in report.text and "console-release-" not in report.text

    with rig.console.sessions() as db:
        states = [r.state for r in db.scalars(select(Release).order_by(Release.id))]
    assert states == ["refused", "refused"]
    assert rig.repo.latest_version() == 1


@pytest.mark.slow
def test_wrong_roles_cannot_upload_sign_or_publish(rig: Rig) -> None:
    rig.repo.publish(rig.build(1), [Audience("all")])
    people = _people(rig)
    rig.console.add_user("zhou", "operator")
    rig.console.add_user("chen", "viewer")
    page = _upload(people["wang"], "flows-2.tar.gz", rig.build(2).read_bytes())
    release_url = page.url.removeprefix(rig.console.url)
    approver_upload = _upload(people["li"], "flows-3.tar.gz", rig.build(3).read_bytes())
    assert approver_upload.status_code == 403
    for name in ("zhou", "chen"):
        browser = rig.console.login(name)
        assert browser.get(release_url).status_code == 200  # they may look
        for path, form in ((f"{release_url}/sign", {"passphrase": "x" * 20}),
                           (f"{release_url}/publish", {}), ("/releases/two-person", {}),
                           ("/signing-key", {"passphrase": "y" * 20, "confirm": "y" * 20})):
            answer = browser.post(path, form)
            assert answer.status_code == 403 and "您的角色没有执行此操作的权限" in answer.text
    with rig.console.sessions() as db:
        assert len(list(db.scalars(select(Release)))) == 1
        assert len(list(db.scalars(select(SigningKey)))) == 2
    assert rig.repo.latest_version() == 1


@pytest.mark.slow
def test_guessing_a_signing_passphrase_is_slowed_down(rig: Rig) -> None:
    rig.repo.publish(rig.build(1), [Audience("all")])
    people = _people(rig)
    page = _upload(people["wang"], "flows-2.tar.gz", rig.build(2).read_bytes())
    release_url = page.url.removeprefix(rig.console.url)
    li = people["li"]
    for guess in range(5):
        answer = li.post(f"{release_url}/sign", {"passphrase": f"guess-number-{guess}"})
        assert "签名口令不正确" in answer.text
    right = li.post(f"{release_url}/sign", {"passphrase": PASSPHRASES["li"]})
    assert right.status_code == 400 and "错误次数过多" in right.text
    assert "尚无签名" in li.get(release_url).text
    rig.console.clock.advance(16 * 60)  # type: ignore[attr-defined]
    li = rig.console.login("li")
    assert li.post(f"{release_url}/sign", {"passphrase": PASSPHRASES["li"]}).status_code == 200
    assert "尚无签名" not in li.get(release_url).text

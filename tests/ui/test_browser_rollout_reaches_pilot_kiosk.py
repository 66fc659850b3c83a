"""The staged-rollout journey end to end, as people do it (issue 18, ADR 0720/0721):

- in real headless Chromium an admin uploads a bundle (the whole catalogue plus a new service,
  居住证签注); a broken bundle is refused with the lint report (file and line);
- the admin signs, a 审核 signs and publishes it (two personal keys, threshold two), and the
  admin sends it to the pilot group (central groups, edited on /groups);
- a real kiosk (kiosk.boot.composition.compose, SDL offscreen, demo devices) in that group,
  polling the static TUF folder over HTTP, activates it and shows 居住证签注 on its home screen
  (asserted on the Kivy widget tree and written as a screenshot); the adoption table on the
  release page turns 已启用 by itself (htmx);
- a bundle whose check fails on that terminal (its site check: a receipt line too wide for its
  58 mm printer) pauses the rollout by itself and raises an alert on the 告警 page;
- rollback: a new version with the good content, two signatures again, to everyone.

It prints the time from approval (publish + pilot stage) to activation on the terminal at the
test's poll interval; docs/adr/0721 gives the arithmetic for the production interval.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from kiosk import REPO_ROOT
from kiosk.console.app import create_app
from kiosk.console.server import start_server
from kiosk.console.settings import ConsoleSettings
from kiosk.updates.bundle import build_archive
from kiosk.updates.checks import bundle_check
from kiosk.updates.httpserve import RepoServer
from kiosk.updates.repository import Repository
from tests.browser import SHOTS, browser, login, logout, shot, text_at
from tests.console.conftest import Clock
from tests.console.helpers import Console
from tests.console.test_release_needs_two_people import PASSPHRASES, Rig, _people
from tests.ui.conftest import RunningKiosk, start_kiosk, stop_kiosk

__all__ = ["browser"]
pytestmark = pytest.mark.slow  # a kiosk, a console, Chromium, three releases (~2-3 min)
TERMINAL = "BJ-CY-0101"
NEW_SERVICE = "residence-permit-endorsement"
NEW_TITLE = "居住证签注"
#: The test's poll interval (the setting's minimum); production uses 300 s.
POLL_SECONDS = 10.0
WAIT = 120.0


@dataclass
class Stack:
    """Console + static TUF folder + a running kiosk in the pilot group."""

    rig: Rig
    kiosk: RunningKiosk


def _catalogue(tmp: Path, name: str, version: int, *, new: bool = True, broken: bool = False,
               wide: bool = False) -> Path:
    """A bundle of the whole built-in catalogue (a bundle replaces it), plus 居住证签注."""
    folder = tmp / f"src-{name}"
    shutil.copytree(REPO_ROOT / "flows" / "catalogue", folder)
    if new:
        service = folder / NEW_SERVICE
        shutil.copytree(folder / "appointment", service)
        flow = service / "flow.yaml"
        text = flow.read_text(encoding="utf-8")
        text = text.replace("id: appointment", f"id: {NEW_SERVICE}", 1)
        text = text.replace("zh-CN: 预约取号", f"zh-CN: {NEW_TITLE}", 1)
        text = text.replace("en: Book a visit / take a ticket",
                            "en: Residence permit endorsement", 1)
        text = text.replace("- 预约\n", "- 居住证\n- 签注\n", 1)
        if broken:
            text = text.replace(f"id: {NEW_SERVICE}", f"id: {NEW_SERVICE}-typo", 1)
        flow.write_text(text, encoding="utf-8")
        if wide:
            (service / "notice.txt").write_text("请携带居住证原件。\n" + "签注须知" * 12 + "\n",
                                                encoding="utf-8")
    out = tmp / f"{name}.tar.gz"
    build_archive(folder, out, version, "0.1.0")
    return out


def site_check(slot: Path) -> list[str]:
    """This terminal's bundle check: the real one, then its site rule (the ADR 0164 seam): no
    text line wider than the 32 columns of its 58 mm receipt printer."""
    return bundle_check(slot) or [
        f"{p.relative_to(slot)}:{n}: line wider than the 32 columns of this site's 58 mm "
        "receipt printer" for p in sorted(slot.rglob("*.txt"))
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if len(line) > 32][:3]


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    repo = Repository(tmp_path / "published", tmp_path / "online-keys")
    root = repo.init()
    root_file = tmp_path / "trusted_root.json"
    root_file.write_bytes(root.to_bytes())
    settings = ConsoleSettings(database_url=f"sqlite:///{tmp_path / 'console.db'}",
                               update_repo_dir=str(repo.repo_dir),
                               update_keys_dir=str(repo.keys_dir),
                               release_dir=str(tmp_path / "releases"),
                               heartbeat_min_interval_seconds=0.0)
    app = create_app(settings, clock=Clock())
    handle = start_server(app)
    server = RepoServer(repo.repo_dir)
    server.__enter__()
    running = None
    try:
        console = Console(handle.url, app.state.sessions, Clock(), settings.database_url or "")
        token_file = tmp_path / "console.token"
        token_file.write_text(console.enrol(TERMINAL), encoding="utf-8")
        token_file.chmod(0o600)
        running = start_kiosk(tmp_path / "kiosk", {
            "KIOSK__TERMINAL_ID": TERMINAL, "KIOSK__CONSOLE__URL": console.url,
            "KIOSK__CONSOLE__TOKEN_FILE": str(token_file),
            "KIOSK__CONSOLE__INTERVAL_SECONDS": "1",
            "KIOSK__UPDATES__REPO_URL": server.url,
            "KIOSK__UPDATES__TRUSTED_ROOT": str(root_file),
            "KIOSK__UPDATES__POLL_INTERVAL_SECONDS": str(POLL_SECONDS)})
        assert running.parts.updater is not None
        running.parts.updater.check_bundle = site_check
        yield Stack(Rig(console, repo, server, tmp_path, root.to_bytes()), running)
    finally:
        if running is not None:
            stop_kiosk(running)
        server.__exit__(None, None, None)
        handle.stop()


def _wait(stack: Stack, predicate, what: str) -> None:  # type: ignore[no-untyped-def]
    """Pump the kiosk's window while waiting for the browser or the kiosk."""
    stack.kiosk.driver.wait_for(predicate, WAIT, what)


def _upload(browser: WebDriver, url: str, archive: Path) -> None:
    browser.get(f"{url}/releases")
    form = browser.find_element(By.ID, "upload-form")
    form.find_element(By.NAME, "bundle").send_keys(str(archive))
    assert form.find_element(By.NAME, "audience").get_attribute("value") == "staged"
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()


def _sign(browser: WebDriver, name: str) -> None:
    form = browser.find_element(By.ID, "sign-form")
    form.find_element(By.NAME, "passphrase").send_keys(PASSPHRASES[name])
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()


def _release(stack: Stack, browser: WebDriver, archive: Path | None,
             shot_name: str, rollback_of: str = "") -> str:
    """Upload (or roll back), sign as wang, sign and publish as li; the release's URL."""
    url = stack.rig.console.url
    login(browser, url, "wang")
    if rollback_of:
        browser.get(rollback_of)
        browser.find_element(By.CSS_SELECTOR, "#rollback-form button").click()
    else:
        assert archive is not None
        _upload(browser, url, archive)
    _wait(stack, lambda: text_at(browser, "#state") == "待签署", "release awaiting signatures")
    if shot_name:
        shot(browser, f"{shot_name}-diff")
    release_url = browser.current_url
    _sign(browser, "wang")
    _wait(stack, lambda: "wang" in text_at(browser, "#signatures"), "wang's signature")
    logout(browser)
    login(browser, url, "li")
    browser.get(release_url)
    _sign(browser, "li")
    _wait(stack, lambda: "li" in text_at(browser, "#signatures"), "li's signature")
    browser.find_element(By.CSS_SELECTOR, "#publish-form button").click()
    _wait(stack, lambda: text_at(browser, "#state") == "已发布", "published")
    logout(browser)
    return release_url


STAGE_SHOWN = {"pilot-form": "试点分组", "all-form": "全部终端"}


def _to(stack: Stack, browser: WebDriver, release_url: str, form_id: str) -> float:
    """As wang, widen the rollout with one of the stage forms; the moment it was accepted."""
    login(browser, stack.rig.console.url, "wang")
    browser.get(release_url)
    browser.find_element(By.CSS_SELECTOR, f"#{form_id} button").click()
    _wait(stack, lambda: text_at(browser, "#stage") == STAGE_SHOWN[form_id], f"{form_id} done")
    assert not text_at(browser, "#message"), text_at(browser, "#message")
    return time.monotonic()


def _adoption(browser: WebDriver) -> str:
    return text_at(browser, f'#adoption-table tr[data-terminal="{TERMINAL}"]')


def _home_shows(stack: Stack, service: str) -> bool:
    """A resident touches the attract screen; the home screen (searched for 居住证) has the
    tile or not. The session is left again."""
    kiosk = stack.kiosk
    driver, app = kiosk.driver, kiosk.app
    driver.wait_for_screen("attract")
    driver.tap_at(960, 700)
    driver.wait_for_screen("home")
    kiosk.parts.controller.search("居住证")
    driver.pump(5)
    shown = service in app.screens["home"].tile_buttons
    if shown:
        driver.screenshot(SHOTS / "rollout-kiosk-home-new-service.png")
    kiosk.back_to_attract()
    return shown


def test_pilot_kiosk_takes_a_new_service_and_a_failing_release_pauses_itself(
        stack: Stack, browser: WebDriver) -> None:
    rig, kiosk = stack.rig, stack.kiosk
    kiosk.driver.wait_for_screen("attract")
    assert not _home_shows(stack, NEW_SERVICE)  # the built-in catalogue has no 居住证签注
    _people(rig)  # wang (admin) and li (审核) create their keys; two-person signing on
    url = rig.console.url

    # Groups are central: the admin puts the kiosk in the pilot group on /groups.
    login(browser, url, "wang")
    browser.get(f"{url}/groups")
    form = browser.find_element(By.ID, "groups-form")
    form.find_element(By.NAME, "terminal_id").send_keys(TERMINAL)
    form.find_element(By.NAME, "groups").send_keys("pilot")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    _wait(stack, lambda: "pilot：1 台" in text_at(browser, "#group-counts"), "group saved")

    # A broken bundle is refused with the lint report.
    _upload(browser, url, _catalogue(rig.tmp, "broken", 1, broken=True))
    _wait(stack, lambda: text_at(browser, "#state") == "未通过检查", "broken bundle refused")
    report = text_at(browser, "#problems")
    assert f"{NEW_SERVICE}/flow.yaml" in report, report
    shot(browser, "rollout-broken-refused")
    assert not browser.find_elements(By.ID, "sign-form")
    logout(browser)

    # Version 1: the catalogue plus 居住证签注, approved by two people, to the pilot group.
    good = _release(stack, browser, _catalogue(rig.tmp, "good", 1), "rollout-good")
    approved = _to(stack, browser, good, "pilot-form")
    _wait(stack, lambda: kiosk.parts.updater.last_outcome().kind == "activated",
          "kiosk activates v1")
    activated = time.monotonic()
    outcome = kiosk.parts.updater.last_outcome()
    _wait(stack, lambda: "已启用" in _adoption(browser), "adoption shows 已启用 live")
    seen = time.monotonic()
    shot(browser, "rollout-adoption-activated")
    check = kiosk.parts.updater.last_check()
    print(f"\napproval->activation at a {POLL_SECONDS:g} s poll: {activated - approved:.1f} s; "
          f"->console shows it: {seen - approved:.1f} s; outcome {outcome.kind} at "
          f"{outcome.at}, check at {check.at}")
    assert outcome.kind == "activated" and outcome.version == 1
    if not _home_shows(stack, NEW_SERVICE):  # an idle kiosk reloads at the session's end
        kiosk.driver.wait_for(lambda: kiosk.parts.bundle_version == "1", WAIT, "reload")
        assert _home_shows(stack, NEW_SERVICE)
    assert (SHOTS / "rollout-kiosk-home-new-service.png").stat().st_size > 20_000
    logout(browser)

    # Version 2 fails this terminal's check: it goes back to 1, the rollout pauses, an alert.
    failing = _release(stack, browser, _catalogue(rig.tmp, "wide", 2, wide=True), "")
    _to(stack, browser, failing, "pilot-form")
    _wait(stack, lambda: "检查未通过" in _adoption(browser), "adoption shows the failure")
    assert "line wider than the 32 columns" in _adoption(browser)
    _wait(stack, lambda: bool(browser.find_elements(By.ID, "adoption-paused")), "auto-paused")
    browser.refresh()
    assert "已暂停" in text_at(browser, "#paused")
    assert kiosk.parts.updater.active_bundle().version == 1
    shot(browser, "rollout-auto-paused")
    browser.get(f"{url}/alerts")
    assert "更新推送已自动暂停" in text_at(browser, "body")
    shot(browser, "rollout-alert")
    logout(browser)

    # Rollback: version 3 with version 1's content, two signatures, to everyone.
    back = _release(stack, browser, None, "", rollback_of=good)
    _to(stack, browser, back, "all-form")
    _wait(stack, lambda: "已启用" in _adoption(browser), "rollback activated")
    assert kiosk.parts.updater.active_bundle().version == 3
    shot(browser, "rollout-rollback-activated")

"""`kiosk tour --bundle PATH --out DIR`: the screens residents will see with a flow bundle, before
it goes out (ADR 0732).

The bundle (a ``.tar.gz`` from `kiosk admin build`, an unpacked bundle, or a flows folder not
built yet, packed here as `kiosk admin build` would) is unpacked safely
and checked first, in the limited child process the terminal uses: a bundle that fails its check
is refused with its problems and nothing is rendered. Then the real kiosk runs with the bundle as
its whole catalogue (as a terminal that took it would), in a Kivy window rendered offscreen, and
the tour writes: the attract screen, the home screen on each tab with the bundle's services, and
every screen of every hand-written service of the bundle, walked by a demo resident with the
answers of the service's own fixtures. ``index.txt`` lists each PNG, its screen and what it
shows, like the full tour's.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

#: Most screens shot per service (a flow that loops is cut off, and says so in the index).
MAX_SCREENS_PER_SERVICE = 30
#: The home tabs shown (the services of the bundle on each).
HOME_TABS = {"常用": "frequent", "全部": "all", "查询": "query", "办理": "apply",
             "打印": "print"}


class BundleRefused(Exception):
    """The bundle cannot be previewed (unreadable, or fails its check); the message says why."""


def prepare_bundle(path: Path, work: Path) -> Path:
    """The checked, unpacked bundle folder for ``path`` (an archive or a folder)."""
    from kiosk.updates.bundle import BundleError, unpack_archive
    from kiosk.updates.checks import bundle_check

    path = Path(path)
    if path.is_dir() and (path / "bundle.json").is_file():
        folder = path  # an unpacked bundle
    elif path.is_dir():  # a flows folder not built yet: pack it as `kiosk admin build` would
        from kiosk import __version__
        from kiosk.updates.bundle import build_archive

        archive = work / "preview.tar.gz"
        try:
            build_archive(path, archive, 1, __version__)
        except (BundleError, OSError) as exc:
            raise BundleRefused(f"{path}: {exc}") from None
        folder = work / "bundle"
        unpack_archive(archive, folder)
    else:
        folder = work / "bundle"
        try:
            unpack_archive(path, folder)
        except (BundleError, OSError) as exc:
            raise BundleRefused(f"{path}: {exc}") from None
    problems = bundle_check(folder)
    if problems:
        prefix = f"{folder}/"
        raise BundleRefused("the bundle fails its check, nothing was rendered:\n" + "\n".join(
            f"  - {p.replace(prefix, '')}" for p in problems))
    return folder


def bundle_services(folder: Path) -> list[str]:
    """The hand-written services of a bundle folder (each a folder with a flow.yaml)."""
    return sorted(p.parent.name for p in folder.glob("*/flow.yaml"))


def _fixture_answers(service_dir: Path) -> dict[str, Any]:
    import yaml

    path = service_dir / "fixtures.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    except (OSError, yaml.YAMLError):
        return {}
    answers = data.get("answers") if isinstance(data, dict) else None
    found = dict(answers) if isinstance(answers, dict) else {}
    found.setdefault("_print_summary", False)  # a receipt is paper, not a screen
    return found


def run_bundle_tour(out: Path, bundle: Path) -> int:
    """Render the bundle's screens into ``out``; return an exit code (1: refused)."""
    work = Path(tempfile.mkdtemp(prefix="kiosk-tour-bundle-"))
    try:
        try:
            folder = prepare_bundle(bundle, work)
        except BundleRefused as exc:
            print(f"kiosk tour: {exc}", file=sys.stderr)
            return 1
        return _render(out, folder, work / "data")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _render(out: Path, folder: Path, data: Path) -> int:
    from kiosk.boot.composition import compose
    from kiosk.boot.logs import configure_logging
    from kiosk.boot.settings import load_settings
    from kiosk.harness.tour import TOUR_DEVICES, Tour, _identify, _settle
    from kiosk.harness.ui_driver import UiDriver

    settings = load_settings(environ={"KIOSK__PATHS__DATA_DIR": str(data),
                                      "KIOSK__DEVICES__SMARTCARD": "none"})
    configure_logging(data / "log")
    kiosk = compose(settings, catalogue_dir=folder)
    kiosk.start_devices()
    parts, app = kiosk.parts, kiosk.app
    driver = UiDriver(app)
    tour = Tour(driver, out)
    services = bundle_services(folder)
    print(f"kiosk tour: bundle with {len(services)} services: {', '.join(services)}",
          file=sys.stderr)
    try:
        driver.wait_for(lambda: all(parts.hub.usable(d) for d in TOUR_DEVICES), 60,
                        "devices ready")
        tour.shot("attract", "待机画面")
        _identify(driver, parts)
        driver.wait_for_screen("home")
        home = app.screens["home"]
        for tab, slug in HOME_TABS.items():
            button = home.tab_buttons.get(tab)
            if button is None:
                continue
            driver.tap(button)
            driver.pump(2)
            tour.shot(f"home-{slug}", f"首页“{tab}”：本更新包的事项")
        for service in services:
            _walk_service(tour, driver, parts, service, _fixture_answers(folder / service))
            _settle(driver)
    finally:
        tour.write_index()
        driver.close()
        kiosk.close()
    return 0


def _walk_service(tour: Any, driver: Any, parts: Any, service: str,
                  answers: dict[str, Any]) -> None:
    """Open ``service`` and shoot each of its screens, answering from its fixtures."""
    from flows.engine import FlowRun
    from flows.headless import Stuck, intent_for
    from flows.views import Intent
    from kiosk.core.session import Phase
    from kiosk.harness.tour import _identify, _settle, _tap_action

    app, controller = driver.app, parts.controller
    if parts.lifecycle.phase is not Phase.ACTIVE or app.manager.current != "home":
        controller.finish()
        driver.wait_for_screen("attract")
        _identify(driver, parts)
        driver.wait_for_screen("home")
    camera = parts.hub.simulator("camera")
    if camera is not None:
        camera.set_scene("document")  # a paper laid under the camera for capture steps
    controller.open_service(service)
    driver.pump(3)
    _settle(driver)
    title = next((e.title for e in parts.catalogue.entries() if e.service_id == service),
                 service)
    last = ("", "")
    repeats = number = 0
    paging = False  # turning the pages of a list is progress on the same screen
    for _ in range(MAX_SCREENS_PER_SERVICE):
        _settle(driver)
        state = app.state
        view = state.view if state is not None else None
        run = controller._run
        if state is None or view is None or not isinstance(run, FlowRun) \
                or not app.manager.current.startswith("step_"):
            break
        same = (view.step_id, view.error) == last and not paging
        repeats = repeats + 1 if same else 0
        if repeats >= 3:  # the same screen (and refusal) again and again: show it, move on
            tour.lines[-1] += f"（预览停在此处：{view.error or '没有进展'}）"
            break
        if (view.step_id, view.error) != last:
            number += 1
            tour.shot(f"{service}-{number:02d}-{view.kind.value}",
                      f"{title}：{view.title}" + (f"（{view.error}）" if view.error else ""))
        last = (view.step_id, view.error)
        try:
            intent = intent_for(view, answers, run)
        except Stuck as exc:
            tour.lines[-1] += f"（预览无法继续：{exc}）"
            break
        if repeats and view.options and intent.action == "choose":
            # the fixtures' choice is not among what the demo platform lists for the demo
            # resident: take the first one shown, as a resident would
            intent = Intent("choose", view.options[0].value)
        paging = intent.action in ("page_next", "page_prev")
        _tap_action(driver, intent.action, intent.value)
    else:
        tour.lines[-1] += f"（超过 {MAX_SCREENS_PER_SERVICE} 个画面，预览到此为止）"
    if parts.lifecycle.phase is Phase.STILL_THERE:
        controller.still_here()
        driver.pump(3)
    if app.manager.current != "home" and parts.lifecycle.phase is Phase.ACTIVE:
        controller.home()
        driver.pump(3)

"""`kiosk tour --out DIR`: drive the journeys headless on simulated devices and write one PNG
per screen, plus ``index.txt`` listing each file, its screen name and what it shows.
`kiosk tour --bundle PATH --out DIR` previews a flow bundle instead (kiosk/harness/tour_bundle.py).

The tour runs the real kiosk (embedded sandbox, simulators, SQLite) in a Kivy window rendered
with SDL offscreen; a person reviews the PNGs. The printed certificate is rendered to PNG too.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from flows.ports import DeviceName
from flows.views import IntentAction


class Tour:
    """Takes numbered screenshots and keeps the index."""

    def __init__(self, driver: Any, out: Path) -> None:
        self.driver = driver
        self.out = out
        self.lines: list[str] = []

    def shot(self, name: str, description: str) -> None:
        """Screenshot the current screen as NN-name.png."""
        number = len(self.lines) + 1
        filename = f"{number:02d}-{name}.png"
        self.driver.screenshot(self.out / filename)
        screen = self.driver.app.manager.current
        self.lines.append(f"{filename}\t{screen}\t{description}")
        print(f"  {filename:<40} {screen:<24} {description}")

    def write_index(self) -> Path:
        """Write index.txt."""
        path = self.out / "index.txt"
        path.write_text("file\tscreen\twhat it shows\n" + "\n".join(self.lines) + "\n",
                        encoding="utf-8")
        return path


#: The devices the tour's journeys use (card in, A4 certificate, receipt).
TOUR_DEVICES = (DeviceName.IDCARD, DeviceName.DOCUMENT_PRINTER, DeviceName.RECEIPT_PRINTER)


def _tap_action(driver: Any, name: str, value: Any = None) -> None:
    """Tap the action button ``name`` on the current step screen (or send the intent)."""
    from flows.views import Intent

    screen = driver.current_screen()
    button = getattr(screen, "buttons", {}).get(name)
    if button is not None and value is None:
        driver.tap(button)
    else:
        driver.app.controller.send(Intent(name, value))
    driver.pump(3)
    _settle(driver)


def _settle(driver: Any) -> None:
    driver.wait_for(lambda: driver.app.state is not None and not driver.app.state.busy,
                    what="not busy")


def _identify(driver: Any, parts: Any, key: str = "worker") -> None:
    from kiosk.adapters.demo_cards import demo_id_card

    reader = parts.hub.get(DeviceName.IDCARD)
    driver.wait_for(lambda: reader.card_state.value == "absent", what="empty reader")
    parts.hub.simulator(DeviceName.IDCARD).insert(demo_id_card(key))
    driver.wait_for(lambda: bool(parts.lifecycle.session and
                                 parts.lifecycle.session.resident_token), what="identified")
    _settle(driver)
    parts.hub.simulator(DeviceName.IDCARD).remove()
    driver.wait_for(lambda: reader.card_state.value == "absent", what="card removed")


def run_tour(out: Path) -> int:
    """Drive every journey and write the screenshots; return an exit code."""
    from flows.engine import FlowRun
    from flows.headless import intent_for
    from kiosk.boot.composition import compose
    from kiosk.boot.logs import configure_logging
    from kiosk.boot.settings import load_settings
    from kiosk.core.session import Phase
    from kiosk.harness.ui_driver import UiDriver, find_button
    from kiosk.harness.ui_journeys import wait_for_continue_question
    from kiosk.harness.video_staff import StaffConsole

    data = Path(tempfile.mkdtemp(prefix="kiosk-tour-"))
    # 视频帮办 with a stand-in console and staff member (kiosk.harness.video_staff)
    staff = StaffConsole(VIDEO_TOKEN, mode="hold").start()
    token = data / "console.token"
    token.write_text(VIDEO_TOKEN, encoding="utf-8")
    token.chmod(0o600)
    settings = load_settings(environ={"KIOSK__PATHS__DATA_DIR": str(data),
                                      "KIOSK__DEVICES__SMARTCARD": "none",
                                      "KIOSK__VIDEO__ENABLED": "true",
                                      "KIOSK__CONSOLE__URL": staff.url,
                                      "KIOSK__CONSOLE__TOKEN_FILE": str(token),
                                      "KIOSK__CONSOLE__INTERVAL_SECONDS": "3600"})
    configure_logging(data / "log")
    kiosk = compose(settings)
    kiosk.start_devices()
    parts, app = kiosk.parts, kiosk.app
    driver = UiDriver(app)
    tour = Tour(driver, out)
    controller = parts.controller
    try:
        driver.wait_for(lambda: all(parts.hub.usable(d) for d in
                                    TOUR_DEVICES),
                        60, "devices ready")
        tour.shot("attract", "待机画面：时间、请刷身份证或点击屏幕开始")
        # Anonymous start: touch, home, a service asks for the card.
        driver.tap_at(960, 540)
        driver.wait_for_screen("home")
        tour.shot("home", "首页：按查询/办理/打印分类的事项，搜索，退出")
        driver.tap(app.screens["home"].search_button)
        for letter in "SBJF":
            driver.tap(find_button(app.screens["home"], letter))
        tour.shot("home-search", "首页搜索：拼音首字母 SBJF 找到社保缴费")
        driver.tap(app.screens["home"].search_button)
        controller.search("")
        driver.pump(3)
        driver.tap(app.screens["home"].tile_buttons["social-insurance-payments"])
        driver.wait_for_screen("identify")
        tour.shot("identify", "身份核验：请放置身份证，或社保卡、个人码")
        # The foundation journey.
        _identify(driver, parts)
        driver.wait_for_screen("step_records")
        tour.shot("records", "社保缴费记录：分页表格")
        _tap_action(driver, IntentAction.GUIDE)
        tour.shot("guide", "办事指南：条件、材料、时限、收费、地点")
        _tap_action(driver, IntentAction.BACK)
        _tap_action(driver, IntentAction.NEXT)
        tour.shot("print-certificate", "打印社保缴费证明：确认后打印")
        _tap_action(driver, IntentAction.PRINT)
        tour.shot("print-certificate-done", "证明已打印，编号")
        _tap_action(driver, IntentAction.NEXT)
        tour.shot("rate", "好差评：五级评价")
        driver.tap(find_button(app.screens["step_rate"], "非常不满意"))
        _settle(driver)
        tour.shot("rate-low", "不满意时须选择原因")
        driver.tap(find_button(app.screens["step_rate"], "非常满意"))
        _settle(driver)
        _tap_action(driver, IntentAction.RATE)
        wait_for_continue_question(driver)
        tour.shot("service-done-continue",
                  "服务结束：立即询问是否继续办理，短倒计时后自动退出并清除信息")
        driver.tap(app.still_there.continue_button)
        driver.wait_for(lambda: app.still_there.parent is None, what="question answered")
        driver.wait_for_screen("home")
        tour.shot("home-identified", "首页：已识别居民（姓名打码）")
        # An application with pre-filled forms, check, e-licences, result and receipt, for a
        # resident who lives here without a local household (the sandbox's `migrant`).
        controller.finish()
        driver.wait_for_screen("attract")
        _identify(driver, parts, "migrant")
        driver.wait_for_screen("home")
        camera = parts.hub.simulator(DeviceName.CAMERA)
        if camera is not None:
            camera.set_scene("document")  # the resident lays the paper under the camera
        driver.tap(app.screens["home"].tab_buttons["办理"])
        tour.shot("home-apply", "首页：办理类事项")
        driver.tap(app.screens["home"].tile_buttons["residence-registration"])
        driver.wait_for(lambda: app.manager.current.startswith("step_"), what="flow")
        seen: set[str] = set()
        run = controller._run
        last_error = ""
        answers = _fixture_answers("residence-registration")
        for _ in range(40):
            _settle(driver)
            state = app.state
            view = state.view if state is not None else None
            if (app.manager.current == "home" or state is None or view is None
                    or not isinstance(run, FlowRun)):
                break
            field_kind = view.field.kind.value if view.field is not None else ""
            key = f"{view.kind.value}:{field_kind}"
            if key not in seen:
                seen.add(key)
                name = f"apply-{view.kind.value}" + (f"-{field_kind}" if field_kind else "")
                tour.shot(name, f"居住登记：{view.title}")
            if view.error or state.notice:
                print(f"    ({view.step_id}: {view.error or state.notice})")
            if view.error and key in seen and view.error == last_error:
                break  # the same refusal twice: the tour shows it and moves on
            last_error = view.error
            intent = intent_for(view, answers, run)
            _tap_action(driver, intent.action, intent.value)
        if app.manager.current != "home":
            controller.home()
            driver.wait_for_screen("home")
        if parts.lifecycle.phase is Phase.STILL_THERE:
            controller.still_here()  # the service ended: yes, the resident goes on
            driver.pump(3)
        # 办不成事反映 from a service.
        driver.tap(app.screens["home"].tab_buttons["查询"])
        driver.tap(app.screens["home"].tile_buttons["provident-fund-deposits"])
        driver.wait_for(lambda: app.manager.current.startswith("step_"), what="flow")
        _settle(driver)
        _tap_action(driver, IntentAction.REPORT)
        tour.shot("report", "办不成事反映：选择遇到的问题")
        _tap_action(driver, IntentAction.CANCEL)
        controller.home()
        driver.pump(3)
        # Still there? and the demo panel.
        parts.lifecycle.timing = type(parts.lifecycle.timing)(0.01, 20, 900)
        controller.tick()
        driver.pump(3)
        tour.shot("still-there", "您还在吗？倒计时后自动退出并清除信息")
        controller.still_here()
        parts.lifecycle.timing = type(parts.lifecycle.timing)(
            settings.session.idle_timeout_seconds, settings.session.still_there_countdown_seconds,
            settings.session.hard_cap_seconds)
        controller.finish()
        driver.wait_for_screen("attract")
        app.show_demo_panel()
        driver.pump(3)
        tour.shot("demo-panel", "演示控制面板（隐藏手势打开）")
        app.hide_demo_panel()
        # Out of service.
        parts.lifecycle.set_service_available(False, "tour")
        driver.wait_for_screen("out_of_service")
        tour.shot("out-of-service", "暂停服务：设备不可用时")
        parts.lifecycle.set_service_available(True, "tour")
        driver.wait_for_screen("attract")
        _technician_pass(tour, driver, parts)
        _reprint_pass(tour, driver, parts)
        _licence_pass(tour, driver, parts)
        _enterprise_pass(tour, driver, parts, "", "法人办事")
        _face_pass(tour, driver, parts)
        _video_pass(tour, driver, parts, staff)
        _mode_pass(tour, driver, parts, "en", lambda p: p.with_locale("en"),
                   "English")
        _mode_pass(tour, driver, parts, "elderly",
                   lambda p: p.with_elderly(True).with_high_contrast(True),
                   "长者模式 + 高对比度")
        _write_certificate_png(parts, out, tour)
    finally:
        tour.write_index()
        driver.close()
        kiosk.close()
        staff.stop()
        shutil.rmtree(data, ignore_errors=True)
    return 0


#: The stand-in console's terminal token in the tour (a throwaway, not a secret).
VIDEO_TOKEN = "tour-terminal-token"


def _video_pass(tour: Tour, driver: Any, parts: Any, staff: Any) -> None:
    """视频帮办 from a step: consent, waiting, the call (hint, highlight), the 好差评, and no
    staff online."""
    from kiosk.core.video_call import CallPhase
    from kiosk.harness.ui_driver import find_button

    app, call = driver.app, parts.video
    if call is None:
        return
    parts.hub.simulator(DeviceName.CAMERA).set_scene("face")
    _identify(driver, parts)
    driver.tap(app.screens["home"].tile_buttons["social-insurance-payments"])
    driver.wait_for_screen("step_records")
    tour.shot("video-button", "社保缴费记录：每一步都有“视频帮办”按钮（在“办不成事”旁）")
    driver.tap(driver.current_screen().buttons["video_help"])
    driver.wait_for(lambda: call.phase is CallPhase.CONSENT, what="consent")
    tour.shot("video-consent", "视频帮办：先说明共享什么（摄像头、麦克风、所在页面）、不录音录像")
    driver.tap(find_button(app.video_layer.card, "同意并呼叫"))
    driver.wait_for(lambda: call.state.position > 0, what="queued")
    tour.shot("video-waiting", "视频帮办：排队位置和预计等待时间，可取消")
    staff.accept()
    driver.wait_for(lambda: call.phase is CallPhase.IN_CALL, what="in call")
    panel = app.video_layer.panel
    driver.wait_for(lambda: panel.remote.frames_drawn >= 5 and panel.preview.frames_shown >= 2,
                    timeout=30, what="video")
    # the staff member points on the shared picture: the step as drawn in the call (scaled
    # beside the panel, docs/adr/0824), so the box is around 完成 where the resident sees it
    staff.send({"type": "hint", "text": "请点击“完成”，下一步打印缴费证明"})
    staff.send({"type": "highlight", "x": 0.625, "y": 0.665, "w": 0.165, "h": 0.115})
    driver.wait_for(lambda: bool(panel.hint.text) and panel.highlight.rectangle() is not None,
                    what="hint")
    driver.pump(10)
    tour.shot("video-call", "视频帮办通话中：工作人员画面、姓名工号、本人小画面、提示、标注框")
    driver.tap(panel.end_button)
    driver.wait_for(lambda: call.phase is CallPhase.ENDED, what="rating")
    tour.shot("video-rating", "视频帮办结束：对帮办服务评价（关联工作人员）")
    driver.tap(find_button(app.video_layer.card, "非常满意"))
    driver.wait_for(lambda: call.phase is CallPhase.IDLE, what="back on the step")
    staff.mode = "no_staff"
    driver.tap(driver.current_screen().buttons["video_help"])
    driver.wait_for(lambda: call.phase is CallPhase.CONSENT, what="consent")
    driver.tap(find_button(app.video_layer.card, "同意并呼叫"))
    driver.wait_for(lambda: call.phase is CallPhase.UNAVAILABLE, what="unavailable")
    tour.shot("video-unavailable", "视频帮办：无人在线时显示服务时间和 12345 热线（并语音播报）")
    call.dismiss()
    parts.controller.finish()
    driver.wait_for_screen("attract")


def _technician_pass(tour: Tour, driver: Any, parts: Any) -> None:
    """Technician mode as a technician reaches it: the 4 s corner hold, the PIN, the devices."""
    from kivy.tests.common import UnitTestTouch

    from kiosk.core.session import Phase
    from kiosk.harness.ui_driver import find_button
    from kiosk.technician.controller import DEMO_PIN

    touch = UnitTestTouch(8, 8)
    touch.touch_down()
    driver.wait_for(lambda: parts.lifecycle.phase is Phase.TECHNICIAN, what="the corner hold")
    touch.touch_up()
    driver.wait_for_screen("technician")
    screen = driver.app.screens["technician"]
    tour.shot("technician-pin", "技术员登录：在待机画面左下角按住 4 秒，输入密码或刷技术员卡")
    keys = {getattr(k, "key", None): k for k in screen.keyboard.children}
    for digit in DEMO_PIN:
        driver.tap(keys[digit])
    driver.tap(find_button(driver.app.root_widget, "确定"))
    driver.wait_for(lambda: screen.page == "home" and parts.technician.state.facts is not None,
                    what="technician home")
    tour.shot("technician-home", "技术员模式：终端状态、设备列表、导出诊断、触摸测试、音量")
    driver.tap(find_button(driver.app.root_widget, "凭条打印机"))
    driver.wait_for(lambda: parts.technician.state.device is not None
                    and not parts.technician.state.device.discovering, what="connections")
    tour.shot("technician-device", "设备设置：选择连接和参数，测试通过后才能保存")
    parts.technician.leave()
    driver.wait_for_screen("attract")


def _reprint_pass(tour: Tour, driver: Any, parts: Any) -> None:
    """Paper runs out mid-certificate (the message names 证明补打), then 证明补打 lists the
    certificate and prints it again under the same serial."""
    app, controller = driver.app, parts.controller
    printer = parts.hub.simulator(DeviceName.DOCUMENT_PRINTER)
    _identify(driver, parts)
    driver.wait_for_screen("home")
    driver.tap(app.screens["home"].tile_buttons["social-insurance-payments"])
    driver.wait_for_screen("step_records")
    _tap_action(driver, IntentAction.NEXT)
    driver.wait_for_screen("step_print_certificate")
    printer.set_fault("media-empty")
    _tap_action(driver, IntentAction.PRINT)
    driver.wait_for(lambda: bool(app.state.view and app.state.view.error) and not app.state.busy,
                    what="paper-out message")
    tour.shot("print-paper-out", "打印中途缺纸：证明已保存，可到任一终端“证明补打”，编号不变")
    printer.set_fault("complete")
    printer.load_paper()
    driver.wait_for(lambda: parts.hub.usable(DeviceName.DOCUMENT_PRINTER), 60, "printer back")
    controller.home()
    driver.wait_for_screen("home")
    driver.tap(app.screens["home"].tab_buttons["打印"])
    driver.tap(app.screens["home"].tile_buttons["certificate-reprint"])
    driver.wait_for_screen("step_records")
    records = app.screens["step_records"]
    driver.wait_for(lambda: bool(records.row_buttons), what="certificates listed")
    tour.shot("reprint-list", "证明补打：近30天开具的证明，点选一份重新打印")
    driver.tap(next(iter(records.row_buttons.values())))
    driver.wait_for_screen("step_print_certificate")
    _tap_action(driver, IntentAction.PRINT)
    driver.wait_for(lambda: app.state.view is not None and app.state.view.outcome == "done",
                    what="certificate reprinted")
    tour.shot("reprint-done", "证明补打：同一编号重新打印完成")
    controller.finish()
    driver.wait_for_screen("attract")


def _face_pass(tour: Tour, driver: Any, parts: Any) -> None:
    """人证比对: consent, live capture with guidance, the outcome (camera simulator: a face)."""
    face, camera = parts.controller.face, parts.hub.simulator(DeviceName.CAMERA)
    if face is None or camera is None:
        return
    face.required = True
    camera.set_scene("face")
    try:
        from kiosk.adapters.demo_cards import demo_id_card

        reader = parts.hub.get(DeviceName.IDCARD)
        driver.wait_for(lambda: reader.card_state.value == "absent", what="empty reader")
        parts.hub.simulator(DeviceName.IDCARD).insert(demo_id_card("worker"))
        driver.wait_for_screen("face_consent")
        tour.shot("face-consent", "人证比对：先征得同意，说明照片用途，可选择其他方式")
        parts.hub.simulator(DeviceName.IDCARD).remove()
        camera.set_scene("far_face")  # the resident stands too far away at first
        face.agree()
        driver.wait_for_screen("face_capture")
        driver.pump(20)
        tour.shot("face-capture", "人证比对：实时画面、人脸框和提示（请靠近一些）")
        camera.set_scene("face")
        driver.wait_for_screen("face_outcome", timeout=60)
        tour.shot("face-outcome", "人证比对：比对结果")
    finally:
        face.required = False
        parts.controller.finish()
        driver.wait_for_screen("attract")


def _licence_pass(tour: Tour, driver: Any, parts: Any) -> None:
    """A licence kind with no hand-written flow: 按主题 -> 婚姻 -> 结婚证打印, preview, purpose,
    print with the usage watermark; 按部门 and a search by initials on the way."""
    from kiosk.harness.ui_driver import find_button

    app = driver.app
    _identify(driver, parts)
    driver.wait_for_screen("home")
    home = app.screens["home"]
    driver.tap(home.tab_buttons["按部门"])
    driver.pump(2)
    tour.shot("home-departments", "首页：按部门浏览（每个部门的事项数）")
    driver.tap(home.tab_buttons["按主题"])
    driver.pump(2)
    tour.shot("home-themes", "首页：按主题浏览（每个主题的事项数）")
    driver.tap(home.group_buttons["婚姻"])
    driver.pump(2)
    tour.shot("home-theme", "首页：主题“婚姻”的事项（含电子证照打印）")
    driver.tap(home.tile_buttons["licence-mzj-marriage"])
    driver.wait_for_screen("step_licence_copy")
    tour.shot("licence-preview", "电子证照打印：预览，选择用途")
    _tap_action(driver, "choose", "租房")
    _tap_action(driver, "print")
    driver.wait_for(lambda: app.state.view is not None and app.state.view.outcome != "",
                    what="licence copy printed")
    tour.shot("licence-printed", "电子证照打印：已打印（加注“此件仅供办理政务服务事项时使用”）")
    parts.controller.finish()
    driver.wait_for_screen("attract")
    _identify(driver, parts)
    driver.wait_for_screen("home")
    home = app.screens["home"]
    if home.keyboard is None:
        driver.tap(home.search_button)
    driver.wait_for(lambda: home.keyboard is not None, what="search keyboard")
    for letter in "KZM":
        driver.tap(find_button(home.keyboard, letter))
    driver.pump(2)
    tour.shot("home-search-synonym", "首页搜索：KZM（开证明）找到各类证明")
    driver.tap(home.search_button)
    parts.controller.search("")
    parts.controller.finish()
    driver.wait_for_screen("attract")


def _mode_pass(tour: Tour, driver: Any, parts: Any, prefix: str, change: Any,
               label: str) -> None:
    """The main screens again in another mode (language, elderly, contrast)."""
    app = driver.app
    parts.prefs.update(change)
    driver.pump(3)
    tour.shot(f"{prefix}-attract", f"{label}：待机画面")
    _identify(driver, parts)
    driver.wait_for_screen("home")
    tour.shot(f"{prefix}-home", f"{label}：首页")
    driver.tap(app.screens["home"].tab_buttons["按主题"])
    driver.pump(2)
    tour.shot(f"{prefix}-home-themes", f"{label}：按主题浏览（每个主题的事项数）")
    driver.tap(app.screens["home"].group_buttons["婚姻"])
    driver.pump(2)
    tour.shot(f"{prefix}-home-theme", f"{label}：主题“婚姻”的事项")
    parts.controller.open_service("social-insurance-payments")
    driver.wait_for_screen("step_records")
    tour.shot(f"{prefix}-records", f"{label}：社保缴费记录")
    _tap_action(driver, IntentAction.CANCEL)
    driver.wait_for_screen("step_rate")
    tour.shot(f"{prefix}-rate", f"{label}：好差评")
    parts.controller.finish()
    driver.wait_for_screen("attract")
    parts.prefs.update(change)  # the session's end reset the preferences
    driver.pump(3)
    _enterprise_pass(tour, driver, parts, f"{prefix}-", f"{label}：法人办事")
    _ = app


def _enterprise_pass(tour: Tour, driver: Any, parts: Any, prefix: str, label: str) -> None:
    """法人办事: the first choice on home, the enterprise items, the identification screen (a
    wrong check character, then the business licence QR code), the representative's card, the
    business licence preview."""
    from kiosk.adapters.demo_cards import demo_id_card
    from kiosk.sandbox.enterprises import licence_code
    from kiosk.sandbox.records import business_credit_code
    from kiosk.sandbox.seed import by_key

    app = driver.app
    director = by_key("company_director")
    prefs = parts.prefs.current
    driver.tap(app.screens["attract"])
    driver.wait_for_screen("home")
    if parts.prefs.current != prefs:  # a touch at attract starts a session with defaults
        parts.prefs.update(lambda _p: prefs)
        driver.pump(3)
    driver.wait_for_screen("home")
    driver.tap(app.screens["home"].audience_buttons["enterprise"])
    driver.wait_for(lambda: app.state.audience == "enterprise", what="法人办事")
    driver.pump(2)
    tour.shot(f"{prefix}home-enterprise", f"{label}：首页（企业事项）")
    parts.controller.open_service("licence-scj-business")
    driver.wait_for_screen("enterprise_identify")
    code = business_credit_code(director)
    parts.controller.enter_credit_code(code[:-1] + ("0" if code[-1] != "0" else "1"))
    driver.pump(2)
    tour.shot(f"{prefix}enterprise-identify-bad-code", f"{label}：统一社会信用代码校验位不正确")
    parts.hub.simulator(DeviceName.SCANNER).scan(licence_code(director))
    driver.wait_for(lambda: app.state.enterprise_code_ready, what="licence QR accepted")
    driver.pump(2)
    tour.shot(f"{prefix}enterprise-identify", f"{label}：已识别电子营业执照，请法定代表人刷身份证")
    reader = parts.hub.get(DeviceName.IDCARD)
    driver.wait_for(lambda: reader.card_state.value == "absent", what="empty reader")
    parts.hub.simulator(DeviceName.IDCARD).insert(demo_id_card("company_director"))
    driver.wait_for_screen("step_licence_copy")
    _settle(driver)
    parts.hub.simulator(DeviceName.IDCARD).remove()
    driver.wait_for(lambda: reader.card_state.value == "absent", what="card removed")
    tour.shot(f"{prefix}enterprise-licence", f"{label}：营业执照预览，选择用途")
    parts.controller.finish()
    driver.wait_for_screen("attract")


def _fixture_answers(service: str) -> dict[str, Any]:
    """The answers a flow's own fixtures give (what the tour's resident types)."""
    import yaml

    from kiosk.boot.composition import BUILTIN_CATALOGUE

    path = BUILTIN_CATALOGUE / service / "fixtures.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    return dict(data.get("answers") or {})


def _write_certificate_png(parts: Any, out: Path, tour: Tour) -> None:
    documents = parts.hub.simulator(DeviceName.DOCUMENT_PRINTER).printed_documents()
    if not documents or not shutil.which("pdftoppm"):
        return
    pdf = out / "printed-certificate.pdf"
    pdf.write_bytes(documents[-1].data)
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-singlefile", str(pdf),
                    str(out / "printed-certificate")], check=True)
    tour.lines.append("printed-certificate.png\t(A4 PDF)\t打印出的社保缴费证明（PDF 转 PNG）")
    print("  printed-certificate.png                  (A4 PDF)")


def main(argv: list[str]) -> int:
    """Run the tour."""
    parser = argparse.ArgumentParser(prog="kiosk tour", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the PNGs")
    parser.add_argument("--bundle", type=Path, help="preview a flow bundle (.tar.gz or folder): "
                        "its home screens and every screen of its services, after its check")
    args = parser.parse_args(argv)
    os.environ["SDL_VIDEODRIVER"] = "offscreen"
    os.environ.pop("DISPLAY", None)
    from kiosk.boot.resources import FONT_PATH
    from kiosk.ui.window import prepare, register_font

    prepare(1920, 1080)
    register_font(FONT_PATH)
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"kiosk tour: writing screenshots to {args.out}/", file=sys.stderr)
    if args.bundle is not None:
        from kiosk.harness.tour_bundle import run_bundle_tour

        return run_bundle_tour(args.out, args.bundle)
    return run_tour(args.out)

"""法人办事 through touches in the real Kivy window: the enterprise's representative chooses
法人办事, shows the electronic business licence QR code at the scanner (or types the credit
code), places their ID card, and prints the business licence (the PDF rendered to PNG and read
back). Bad input: a credit code with a wrong check character, another person's ID card, and an
enterprise licence the platform refuses to release, each a plain Chinese message; nothing
crashes."""

from __future__ import annotations

import subprocess
from pathlib import Path

from kiosk.harness.ui_driver import find_button
from kiosk.harness.ui_journeys import rate_and_leave
from kiosk.sandbox import enterprises
from kiosk.sandbox.records import business_credit_code
from kiosk.sandbox.seed import by_key
from tests.ui.conftest import RunningKiosk

SHOTS = Path("var/ui-shots")
DIRECTOR = by_key("company_director")
ITEM = "licence-scj-business"


def _start_enterprise(kiosk: RunningKiosk) -> None:
    driver, app = kiosk.driver, kiosk.app
    driver.tap(app.screens["attract"])
    driver.wait_for_screen("home")
    home = app.screens["home"]
    driver.tap(home.audience_buttons["enterprise"])
    driver.wait_for(lambda: app.state.audience == "enterprise", what="法人办事 chosen")


def _search(kiosk: RunningKiosk, letters: str, item: str) -> None:
    driver, app = kiosk.driver, kiosk.app
    home = app.screens["home"]
    driver.tap(home.search_button)
    for letter in letters:
        driver.tap(find_button(home.keyboard, letter))
    driver.wait_for(lambda: item in home.tile_buttons, what=f"{item} found")
    driver.tap(home.tile_buttons[item])


def _place_card(kiosk: RunningKiosk, key: str) -> None:
    from kiosk.adapters.demo_cards import demo_id_card

    reader, sim = kiosk.parts.hub.get("idcard"), kiosk.sim("idcard")
    kiosk.driver.wait_for(lambda: reader.card_state.value == "absent", what="empty reader")
    app, before = kiosk.app, kiosk.app.state.notice
    sim.insert(demo_id_card(key))
    kiosk.driver.wait_for(lambda: not app.state.busy and (
        app.state.screen != "enterprise_identify"
        or app.state.notice not in (before, "正在读取证件，请不要移动")), what="card read")
    sim.remove()
    kiosk.driver.wait_for(lambda: reader.card_state.value == "absent", what="card removed")


def _type_code(kiosk: RunningKiosk, code: str) -> None:
    driver, screen = kiosk.driver, kiosk.app.screens["enterprise_identify"]
    driver.tap(find_button(screen.keyboard, "清空"))
    for char in code:
        driver.tap(find_button(screen.keyboard, char))
    driver.tap(screen.confirm)


def test_representative_scans_the_licence_qr_and_prints_the_business_licence(
        kiosk: RunningKiosk, tmp_path: Path) -> None:
    driver, app = kiosk.driver, kiosk.app
    _start_enterprise(kiosk)
    home = app.screens["home"]
    driver.screenshot(SHOTS / "home-enterprise.png")
    assert "social-insurance-payments" not in home.tile_buttons  # a personal item
    assert "个人办事" not in home.greeting.text
    _search(kiosk, "YYZZ", ITEM)
    driver.wait_for_screen("enterprise_identify")
    assert not app.state.enterprise_code_ready
    kiosk.sim("scanner").scan(enterprises.licence_code(DIRECTOR))
    driver.wait_for(lambda: app.state.enterprise_code_ready, what="licence QR accepted")
    assert "电子营业执照" in app.state.notice
    driver.screenshot(SHOTS / "enterprise-identify-scanned.png")
    _place_card(kiosk, "company_director")
    driver.wait_for_screen("step_licence_copy")
    screen = app.screens["step_licence_copy"]
    driver.tap(screen.option_buttons["工商登记"])
    driver.wait_for(lambda: any(o.selected for o in app.state.view.options), what="purpose")
    before = len(kiosk.sim("document_printer").printed_documents())
    driver.tap(screen.buttons["print"])
    driver.wait_for(lambda: app.state.view is not None and app.state.view.outcome == "done",
                    what="business licence printed")
    documents = kiosk.sim("document_printer").printed_documents()
    assert len(documents) == before + 1
    pdf = tmp_path / "licence.pdf"
    pdf.write_bytes(documents[-1].data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "营业执照" in text and "演示区星河科技有限公司" in text
    assert business_credit_code(DIRECTOR) in text
    assert "此件仅供办理政务服务事项时使用" in text and "用途：工商登记" in text
    SHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf),
                    str(SHOTS / "enterprise-business-licence-copy")], check=True)
    assert (SHOTS / "enterprise-business-licence-copy.png").stat().st_size > 10_000
    driver.tap(screen.buttons["next"])
    rate_and_leave(driver)
    assert app.state.audience == "person"  # the enterprise session is wiped like any other
    assert kiosk.parts.lifecycle.session is None or not kiosk.parts.lifecycle.session.credit_code


def test_wrong_check_character_then_wrong_person_then_the_representative(
        kiosk: RunningKiosk) -> None:
    driver, app = kiosk.driver, kiosk.app
    code = business_credit_code(DIRECTOR)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    _start_enterprise(kiosk)
    _search(kiosk, "QYNS", "enterprise-tax-records")
    driver.wait_for_screen("enterprise_identify")
    _type_code(kiosk, wrong)
    driver.wait_for(lambda: "校验位不正确" in app.state.notice, what="check character refused")
    assert not app.state.enterprise_code_ready
    driver.screenshot(SHOTS / "enterprise-identify-bad-code.png")
    _place_card(kiosk, "company_director")  # a card before a good code: asked for the code
    assert "统一社会信用代码" in app.state.notice
    _type_code(kiosk, code)
    driver.wait_for(lambda: app.state.enterprise_code_ready, what="code accepted")
    _place_card(kiosk, "worker")  # not the legal representative
    driver.wait_for(lambda: "法定代表人" in app.state.notice and not app.state.busy,
                    what="not the representative")
    assert app.manager.current == "enterprise_identify"
    assert not kiosk.parts.lifecycle.session.resident_token
    _type_code(kiosk, code)
    driver.wait_for(lambda: app.state.enterprise_code_ready, what="code accepted again")
    _place_card(kiosk, "company_director")
    driver.wait_for_screen("step_records")
    rows = app.state.view.table.rows if app.state.view.table else ()
    assert rows and any("增值税" in " ".join(map(str, r)) for r in rows)
    assert "星河" in kiosk.parts.lifecycle.session.enterprise_name


def test_a_licence_the_platform_will_not_release_is_a_plain_message(
        kiosk: RunningKiosk) -> None:
    driver, app = kiosk.driver, kiosk.app
    _start_enterprise(kiosk)
    _search(kiosk, "WXHXP", "licence-yjj-hazard")
    driver.wait_for_screen("enterprise_identify")
    kiosk.sim("scanner").scan(enterprises.licence_code(DIRECTOR))
    driver.wait_for(lambda: app.state.enterprise_code_ready, what="licence QR accepted")
    _place_card(kiosk, "company_director")
    driver.wait_for_screen("step_licence_copy")
    screen = app.screens["step_licence_copy"]
    driver.tap(screen.option_buttons["办理政务服务事项"])
    driver.wait_for(lambda: any(o.selected for o in app.state.view.options), what="purpose")
    driver.tap(screen.buttons["print"])
    driver.wait_for(lambda: app.state.view is not None and app.state.view.outcome == "refused",
                    what="refused")
    shown = " ".join([app.state.view.body, app.state.view.error, app.state.notice])
    assert "窗口" in shown, shown
    assert "Traceback" not in shown

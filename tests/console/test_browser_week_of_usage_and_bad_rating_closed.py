"""A week of synthetic usage, made by residents at a headless kiosk (kiosk/harness/stats_week.py:
the headless resident answers each screen through the controller; three terminals in two
districts report to the real console over HTTP), fills the 统计 pages; in real headless
Chromium an operator sees the figures (service and step titles, not ids; SVG charts with Chinese
labels; a Chinese month list), opens a 差评 as a work item, assigns it, records the
rectification and the reply, closes it; the 通报 page and its XLSX follow. Screenshots at
1920x1080: var/screenshots/console/stats-*.png."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select
from sqlalchemy import func, select

from kiosk.boot.composition import KioskParts, build_kiosk
from kiosk.boot.settings import load_settings
from kiosk.console.models import UsageRecord
from kiosk.console.stats_models import WorkItem
from kiosk.core.tasks import InlineRunner
from kiosk.harness.stats_week import SimTerminal, generate_week
from tests.browser import browser, login, shot, text_at, text_of, wait_for_text, wait_for_url
from tests.console.helpers import Console

__all__ = ["browser"]
pytestmark = pytest.mark.slow

#: Monday 2026-11-02 00:00 China time.
WEEK = datetime(2026, 11, 1, 16, 0, tzinfo=UTC)
TERMINALS = (("BJ-HD-0001", "海淀区", "中关村街道政务服务中心"),
             ("BJ-HD-0002", "海淀区", "学院路街道便民服务站"),
             ("BJ-CY-0001", "朝阳区", "望京街道便民服务中心"))


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[KioskParts]:
    """One headless demo kiosk (simulated card reader and printers, embedded sandbox)."""
    settings = load_settings(environ={"KIOSK__PATHS__DATA_DIR": str(tmp_path / "kiosk"),
                                      "KIOSK__DEVICES__SMARTCARD": "none",
                                      "KIOSK__DEVICES__SCANNER": "none"})
    parts = build_kiosk(settings, InlineRunner())
    parts.start_devices()
    try:
        import time
        deadline = time.monotonic() + 60
        while not all(parts.hub.usable(d) for d in ("idcard", "document_printer",
                                                     "receipt_printer")):
            assert time.monotonic() < deadline, "simulated devices not ready"
            time.sleep(0.05)
        yield parts
    finally:
        parts.close()


def _count(console: Console, kind: str) -> int:
    with console.sessions() as db:
        return db.scalar(select(func.count(UsageRecord.id)).where(
            UsageRecord.kind == kind)) or 0


def test_a_week_fills_the_pages_and_a_bad_rating_is_closed(
        console: Console, kiosk: KioskParts, browser: WebDriver) -> None:
    terminals = [SimTerminal(tid, console.enrol(tid, district=district, site=site))
                 for tid, district, site in TERMINALS]
    outcome = generate_week(kiosk, console.url, terminals, WEEK, days=7,
                            sessions_per_day=(3, 5), after_round=lambda: console.clock.advance(61))
    assert outcome["send_failed"] == 0 and outcome["sessions"] >= 60
    assert outcome["completed"] > 0 and outcome["abandoned"] > 0
    sessions, completed = _count(console, "session"), _count(console, "completed")
    assert sessions == outcome["sessions"] and completed >= outcome["completed"] - 2
    assert _count(console, "printed") > 0 and _count(console, "identified") >= sessions
    assert _count(console, "unresolved") == outcome["reported"] > 0
    assert _count(console, "print_failed") > 0, outcome  # the bad morning of day 2
    assert _count(console, "elderly") > 0 and _count(console, "english") > 0
    assert _count(console, "abandoned") >= outcome["abandoned"]
    with console.sessions() as db:
        bad = db.scalar(select(func.count(WorkItem.id)).where(WorkItem.kind == "bad_rating"))
    assert bad and bad > 0

    console.add_user("op1", "operator")
    console.add_user("op2", "operator")
    login(browser, console.url, "op1")
    browser.find_element(By.LINK_TEXT, "统计").click()
    wait_for_url(browser, "/stats")
    months = Select(browser.find_element(By.ID, "month"))
    assert months.first_selected_option.text.endswith("年12月")  # the current month, in Chinese
    months.select_by_value("2026-11")
    browser.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
    wait_for_url(browser, "month=2026-11")
    assert text_at(browser, "h1") == "统计 · 2026年11月"
    assert text_of(browser, "sessions") == str(sessions)
    assert text_of(browser, "completed") == str(completed)
    assert int(text_of(browser, "abandoned")) > 0
    services = text_of(browser, "services")
    assert "社保缴费记录查询" in services and "social-insurance-payments" not in services
    give_up = text_of(browser, "give-up")
    assert give_up and "本月没有中途放弃" not in give_up and "-" not in give_up.split("\n")[1]
    charts = browser.find_elements(By.CSS_SELECTOR, "svg.chart")
    assert len(charts) == 6
    labels = " ".join(t.get_attribute("textContent") or "" for t in
                      browser.find_elements(By.CSS_SELECTOR, "svg.chart text"))
    assert "每日服务次数与办结数" in labels and "身份证" in labels and "非常满意" in labels
    shot(browser, "stats-week")
    for n, part in enumerate(("chart-give-up", "chart-by-service", "chart-by-month", "bad"), 2):
        browser.execute_script("document.getElementById(arguments[0]).scrollIntoView()", part)
        shot(browser, f"stats-week-{n}")
    assert "办不成事反映" in give_up or "_report" not in give_up

    first = browser.find_element(By.CSS_SELECTOR, "#bad tbody tr a")
    number = first.text
    first.click()
    wait_for_url(browser, "/stats/work/")
    assert text_of(browser, "item-number") == number
    assert text_of(browser, "item-status") == "待处理"
    assert text_of(browser, "item-reasons") not in ("", "—")
    Select(browser.find_element(By.ID, "assignee")).select_by_visible_text("op2")
    browser.find_element(By.ID, "do-assign").click()  # each button posts: a new page comes
    wait_for_text(browser, "item-status", "已指派", exact=True)
    browser.find_element(By.ID, "rectify-text").send_keys("已更换读卡器，并在机旁张贴操作指引")
    browser.find_element(By.ID, "do-rectify").click()
    wait_for_text(browser, "item-status", "已整改", exact=True)
    browser.find_element(By.ID, "reply-text").send_keys("您反映的问题已整改，欢迎再来办理。")
    browser.find_element(By.ID, "do-reply").click()
    wait_for_text(browser, "item-status", "已答复", exact=True)
    assert "天" in text_of(browser, "item-reply-time")  # November to now
    shot(browser, "stats-work-item")
    browser.find_element(By.ID, "do-close").click()
    wait_for_text(browser, "item-status", "已办结", exact=True)
    history = text_of(browser, "history")
    for word in ("指派", "整改", "答复", "办结"):
        assert word in history
    assert not browser.find_elements(By.ID, "form-reply")
    shot(browser, "stats-work-item-closed")

    browser.get(f"{console.url}/stats/report?month=2026-11")
    report = text_of(browser, "report-1")
    assert "海淀区" in report and "朝阳区" in report and "合计" in report
    shot(browser, "stats-report")
    with console.sessions() as db:
        item = db.scalar(select(WorkItem).where(WorkItem.number == number))
        assert item is not None and item.status == "closed" and item.assignee == "op2"
    xlsx = console.login("op1").get("/stats/report.xlsx", params={"month": "2026-11"})
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames[:2] == ["各区", "各网点"]
    rows = [[c.value for c in r] for r in book["各区"].iter_rows()]
    assert rows[1][0] == "区/网点" and rows[-1][0] == "合计"
    assert rows[-1][1] == sessions and rows[-1][5] == bad
    assert rows[-1][7] == 1 and rows[-1][9] == 1  # one answered, one closed

"""The terminal's console link against the real console: the controller's usage codes, the
preference store and the outbox's 办不成事 reports become codes; elderly mode and English count
once a session (switching back and forth is one use), a method the console does not know is
dropped on the terminal, a 办不成事 description and a flow's own category words never leave it
("other" does)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from flows.ports import ProblemReport
from flows.strings import say
from kiosk.console.models import UsageRecord
from kiosk.core.accessibility import Preferences
from kiosk.core.session import Phase
from kiosk.ops.console_link import ConsoleLink
from kiosk.platform.console_client import ConsoleClient
from tests.console.helpers import Console

DESCRIPTION = "打印机卡纸，工作人员张三电话13800138000"


def test_codes_travel_words_stay_home(console: Console) -> None:
    client = ConsoleClient(console.url, "BJ-CY-0060", console.enrol("BJ-CY-0060"),
                           timeout_seconds=3)
    link = ConsoleLink(client, report=dict, controller=None, call_soon=lambda f: f(),
                       interval_seconds=3600, monotonic=lambda: -1.0,
                       clock=lambda: datetime(2026, 5, 6, 2, 0, tzinfo=UTC))
    for _ in range(2):  # two sessions
        link.on_phase(Phase.ATTRACT, Phase.ACTIVE, "touch")
        link.on_usage("identified", method="idcard")
        link.on_usage("identified", method="palm-vein")  # unknown: dropped here
        link.on_usage("teleported", service="x")  # unknown kind: dropped here
        for prefs in (Preferences(elderly=True), Preferences(), Preferences(elderly=True),
                      Preferences(elderly=True, locale="en"), Preferences(locale="zh-CN")):
            link.on_preferences(prefs)
        link.on_usage("started", service="social-insurance-payments")
        link.on_usage("print_failed", service="social-insurance-payments", step="certificate")
        link.on_problem(ProblemReport(service="social-insurance-payments", step="certificate",
                                      category=say("category.device", "zh-CN"),
                                      description=DESCRIPTION))
        link.on_problem(ProblemReport(service="social-insurance-payments", step="certificate",
                                      category="窗口态度差", description=DESCRIPTION))
        link.on_phase(Phase.ACTIVE, Phase.WIPING, "finished")
        link.on_phase(Phase.WIPING, Phase.ATTRACT, "finished")
    assert link.run_round() is True
    with console.sessions() as db:
        rows = [(r.kind, r.service, r.step, r.method, r.category) for r in db.scalars(
            select(UsageRecord).where(UsageRecord.terminal_id == "BJ-CY-0060")
            .order_by(UsageRecord.id))]
    one_session = [
        ("session", "", "", "", ""), ("identified", "", "", "idcard", ""),
        ("elderly", "", "", "", ""), ("english", "", "", "", ""),
        ("started", "social-insurance-payments", "", "", ""),
        ("print_failed", "social-insurance-payments", "certificate", "", ""),
        ("unresolved", "social-insurance-payments", "certificate", "", "device"),
        ("unresolved", "social-insurance-payments", "certificate", "", "other")]
    assert rows == one_session * 2
    assert DESCRIPTION not in repr(rows) and "窗口态度差" not in repr(rows)

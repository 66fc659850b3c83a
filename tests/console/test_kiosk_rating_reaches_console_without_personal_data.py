"""A whole kiosk (build_kiosk, demo profile, embedded sandbox) with the console link: a resident
identified by ID card opens a service, leaves it and gives a 差评 with a reason and a comment;
the console then holds the session and the rating with its category (no completion: the
resident left the service), and
nothing else: not the comment, not the case number, not the resident's name or ID number.
The 统计 page shows it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from drivers.interfaces import DeviceEvent
from flows.views import Intent, StepKind
from kiosk.boot.composition import build_kiosk
from kiosk.boot.settings import load_settings
from kiosk.console.models import UsageRecord
from kiosk.core.tasks import InlineRunner
from tests.console.helpers import Console
from tests.integration.conftest import Terminal as Resident

SERVICE = "social-insurance-payments"
DEVICES_OFF = {f"KIOSK__DEVICES__{d}": "none" for d in (
    "IDCARD", "SMARTCARD", "CAMERA", "SCANNER", "RECEIPT_PRINTER", "DOCUMENT_PRINTER")}
COMMENT = "窗口工作人员态度差 13800138000"


@pytest.mark.slow
def test_a_bad_rating_reaches_the_console_as_codes(console: Console, tmp_path: Path) -> None:
    token = console.enrol("BJ-CY-0042", district="朝阳区", site="望京街道便民服务中心")
    token_file = tmp_path / "console.token"
    token_file.write_text(token + "\n", encoding="utf-8")
    token_file.chmod(0o600)
    env = {"KIOSK__PATHS__DATA_DIR": str(tmp_path / "data"), **DEVICES_OFF,
           "KIOSK__TERMINAL_ID": "BJ-CY-0042", "KIOSK__CONSOLE__URL": console.url,
           "KIOSK__CONSOLE__TOKEN_FILE": str(token_file),
           "KIOSK__CONSOLE__INTERVAL_SECONDS": "3600", "KIOSK__CONSOLE__TIMEOUT_SECONDS": "3"}
    parts = build_kiosk(load_settings(environ=env), InlineRunner())
    parts.start_devices()
    try:
        link = parts.console_link
        assert link is not None
        identity = Resident.identity("worker")
        controller = parts.controller
        controller.on_device_event("idcard", DeviceEvent("identity_read", identity, "idcard"))
        assert parts.lifecycle.session is not None
        controller.open_service(SERVICE)
        controller.send(Intent("cancel"))
        view = controller.state.view
        assert view is not None and view.kind is StepKind.RATE
        controller.send(Intent("rate", {"score": 1, "reasons": ["办理时间长"],
                                        "comment": COMMENT}))
        assert controller.state.view is None or controller.state.view.kind is not StepKind.RATE
        assert link.run_round() is True
    finally:
        parts.close()

    with console.sessions() as db:
        rows = list(db.scalars(select(UsageRecord).where(
            UsageRecord.terminal_id == "BJ-CY-0042").order_by(UsageRecord.id)))
    kinds = [r.kind for r in rows]
    # the resident left the service (退出办理) before rating it: not a completion, but an
    # abandonment at the step it was left on (docs/adr/0740); identified by ID card
    assert sorted(kinds) == ["abandoned", "identified", "rating", "session", "started"]
    abandoned = next(r for r in rows if r.kind == "abandoned")
    assert abandoned.service == SERVICE and abandoned.step
    assert next(r for r in rows if r.kind == "identified").method == "idcard"
    rating = next(r for r in rows if r.kind == "rating")
    assert (rating.service, rating.score, rating.category, rating.status) == (
        SERVICE, 1, "slow", "open")
    stored = repr([(r.kind, r.service, r.score, r.category, r.step, r.method, r.categories)
                   for r in rows])
    for personal in (COMMENT, "13800138000", identity.name, identity.id_number):
        assert personal not in stored

    console.add_user("viewer1", "viewer")
    month = rating.occurred_at.strftime("%Y-%m")
    page = console.login("viewer1").get("/stats", params={"terminal": "BJ-CY-0042"}).text
    # the service by its title from the catalogue, the step the resident left at by its title
    assert month[:4] in page and f'title="{SERVICE}">社保缴费记录查询</td>' in page
    assert "办理时间长" in page and '<td class="status">待处理</td>' in page
    assert "社保缴费记录查询 · " in page and f"{SERVICE} · " not in page
    assert COMMENT not in page and identity.name not in page


def test_link_sends_completions_and_keeps_a_flows_own_reason_words_home(
        console: Console) -> None:
    """The link's three sources (a session begun, a completion, a journaled rating) against
    the real console: a flow's own 差评 reason becomes "other", its words stay home."""
    from flows.ports import Rating
    from kiosk.core.session import Phase
    from kiosk.ops.console_link import ConsoleLink
    from kiosk.platform.console_client import ConsoleClient

    token = console.enrol("BJ-CY-0050")
    client = ConsoleClient(console.url, "BJ-CY-0050", token, timeout_seconds=3)
    link = ConsoleLink(client, report=dict, controller=None, call_soon=lambda f: f(),
                       interval_seconds=3600, monotonic=lambda: -1.0)  # no heartbeat due
    link.on_phase(Phase.ATTRACT, Phase.ACTIVE, "touch")
    link.on_phase(Phase.ACTIVE, Phase.STILL_THERE, "idle")  # not a new session
    link.on_completed("hukou-certificate")
    link.on_rating(Rating(service="hukou-certificate", score=2, reasons=("窗口张三不耐烦",),
                          comment="张三", case_number="BJ2026-1", idempotency_key="k"))
    link.on_rating(Rating(service="hukou-certificate", score=4, reasons=(), comment="",
                          case_number="", idempotency_key="k2"))
    assert link.run_round() is True
    with console.sessions() as db:
        rows = [(r.kind, r.service, r.score, r.category) for r in db.scalars(
            select(UsageRecord).where(UsageRecord.terminal_id == "BJ-CY-0050")
            .order_by(UsageRecord.id))]
    assert rows == [("session", "", None, ""), ("completed", "hukou-certificate", None, ""),
                    ("rating", "hukou-certificate", 2, "other"),
                    ("rating", "hukou-certificate", 4, "")]
    assert link.run_round() is True  # sent once, not again
    with console.sessions() as db:
        assert len(list(db.scalars(select(UsageRecord)))) == 4

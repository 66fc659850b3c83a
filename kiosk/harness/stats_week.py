"""A week of synthetic usage for the 统计 pages, made by residents, not by inserting rows
(docs/adr/0743): one headless kiosk (`build_kiosk`, demo profile, embedded sandbox, simulated
ID card reader and printers) plays several terminals in turn; each session is a seeded sandbox
resident who is identified (ID card, sometimes 社保卡), may switch on elderly mode or English,
opens a service and answers its screens with the headless resident (flows.headless.intent_for)
through the controller, exactly as the UI sends them. Some give up at a step, some send a
办不成事 report, the rest finish and rate (some 差评 with reasons). Each terminal's usage goes
to the console through its own `ConsoleLink` (real HTTP, its own token), whose clock is the
simulated day, so the console sees a week. On the second day the first terminal's simulated A4
printer runs out of paper (print failures; residents who give up on the error).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from drivers.interfaces import DeviceEvent
from flows.headless import Stuck, intent_for
from flows.strings import say
from flows.views import Intent, StepKind
from kiosk.ops.console_link import ConsoleLink, wire_usage
from kiosk.platform.console_client import ConsoleClient

#: (service, sandbox resident, headless answers): journeys the sandbox completes.
JOURNEYS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("social-insurance-payments", "migrant", {"_all_pages": True}),
    ("medical-insurance-account", "mother", {"_all_pages": True}),
    ("provident-fund-deposits", "spouse_of_owner", {"_all_pages": True}),
    ("archives", "graduate", {}),
    ("benefits", "unemployed", {}),
)
#: Scores as residents give them (5 most often).
SCORES = (5, 5, 5, 5, 5, 5, 4, 4, 3, 2, 1)
REASONS = ("reason.slow", "reason.hard", "reason.device", "reason.unclear", "reason.failed")
MAX_SCREENS = 60


@dataclass(frozen=True, slots=True)
class SimTerminal:
    """A terminal the kiosk plays: its id and console token."""

    terminal_id: str
    token: str


class _Router:
    """The one kiosk's usage goes to the link of the terminal it is playing now."""

    def __init__(self) -> None:
        self.link: ConsoleLink | None = None

    def __getattr__(self, name: str) -> Callable[..., None]:
        def forward(*args: Any, **kwargs: Any) -> None:
            if self.link is not None:
                getattr(self.link, name)(*args, **kwargs)
        return forward


def _identity(key: str) -> Any:
    from drivers.identity import DocumentKind, Identity
    from kiosk.sandbox.seed import by_key

    r = by_key(key)
    return Identity(DocumentKind.RESIDENT_ID, r.name, r.id_number, r.sex, r.birth_date,
                    address=r.household_address, long_term=True)


def one_session(parts: Any, rng: random.Random, outcome: Counter[str],
                journey: tuple[str, str, dict[str, Any]] | None = None) -> None:
    """One resident at the terminal, from the card to the end of the session (a random
    journey unless given)."""
    controller, journey = parts.controller, journey or rng.choice(JOURNEYS)
    service, resident, answers = journey
    device = "smartcard" if rng.random() < 0.2 else "idcard"
    if rng.random() < 0.15:
        parts.prefs.update(lambda p: p.with_elderly(True))
    controller.on_device_event(device, DeviceEvent("identity_read", _identity(resident), device))
    if rng.random() < 0.05:
        parts.prefs.update(lambda p: p.with_locale("en"))
    if parts.lifecycle.session is None:
        outcome["not_identified"] += 1
        return
    answers = dict(answers, _score=rng.choice(SCORES))
    if answers["_score"] <= 2:
        answers["_reasons"] = [say(k, "zh-CN") for k in rng.sample(REASONS, rng.randint(1, 2))]
    controller.open_service(service)
    give_up_at = rng.randint(1, 4) if rng.random() < 0.18 else 0
    report_at = rng.randint(1, 3) if not give_up_at and rng.random() < 0.05 else 0
    errors = 0
    for screen in range(1, MAX_SCREENS):
        view, run = controller.state.view, controller.current_run
        errors = errors + 1 if view is not None and view.error else 0
        if errors >= 3:  # the same trouble three times: the resident gives up
            controller.home()
            outcome["gave_up_on_error"] += 1
            break
        if controller.state.screen != "step" or view is None or run is None:
            outcome["completed" if screen > 1 else "not_started"] += 1
            break
        if screen == give_up_at and view.kind is not StepKind.RATE:
            (controller.home if rng.random() < 0.5 else controller.finish)()
            outcome["abandoned"] += 1
            break
        if screen == report_at:
            controller.send(Intent("report", {"category": say("category.device", "zh-CN"),
                                              "description": "合成数据"}))
            controller.home()
            outcome["reported"] += 1
            break
        try:
            controller.send(intent_for(view, answers, run))  # type: ignore[arg-type]
        except Stuck:
            controller.home()
            outcome["stuck"] += 1
            break
    if parts.lifecycle.session is not None:
        controller.finish()


def generate_week(parts: Any, console_url: str, terminals: Sequence[SimTerminal],
                  first_day: datetime, days: int = 7, sessions_per_day: tuple[int, int] = (3, 6),
                  seed: int = 18, after_round: Callable[[], None] = lambda: None
                  ) -> Counter[str]:
    """Play ``days`` days from ``first_day`` (China-time midnight, aware) on every terminal;
    send each terminal-day to the console; ``after_round`` runs after each send (a test moves
    the console's clock past its per-minute limit). Returns what the residents did."""
    rng = random.Random(seed)
    router = _Router()
    wire_usage(parts, router)
    now = [first_day]
    links = {t.terminal_id: ConsoleLink(
        ConsoleClient(console_url, t.terminal_id, t.token, timeout_seconds=10), report=dict,
        controller=None, call_soon=lambda f: f(), interval_seconds=3600,
        clock=lambda: now[0], monotonic=lambda: -1.0) for t in terminals}
    outcome: Counter[str] = Counter()
    printer = parts.hub.simulator("document_printer")
    for day in range(days):
        for n, terminal in enumerate(terminals):
            router.link = links[terminal.terminal_id]
            count = rng.randint(*sessions_per_day)
            # one bad morning: the first terminal's A4 printer runs out of paper on day 2
            faulty = printer is not None and day == 1 and n == 0
            if faulty:
                printer.set_fault("media-empty")
            for i in range(count):
                now[0] = (first_day + timedelta(days=day, hours=9)
                          + timedelta(minutes=int(i * 480 / max(count, 1)) + rng.randint(0, 20)))
                # that morning everyone wants a certificate printed on A4
                one_session(parts, rng, outcome, JOURNEYS[0] if faulty else None)
                outcome["sessions"] += 1
            if faulty:
                printer.set_fault("complete")
                printer.load_paper()
            if not router.link.run_round():
                outcome["send_failed"] += 1
            after_round()
    router.link = None
    return outcome


def china_midnight(day: datetime) -> datetime:
    """The China-time midnight of ``day``'s China date, as an aware UTC instant."""
    china = day.astimezone(UTC) + timedelta(hours=8)
    return datetime(china.year, china.month, china.day, tzinfo=UTC) - timedelta(hours=8)

"""Whatever the UI sends, in any order, the engine answers with a View and never raises.

Slow (docs/adr/0801): 150 random journeys each, 5-7 s; the fast tier keeps the engine's own
tests and the smoke run of every built-in service."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.views import Intent, View
from tests.flows.conftest import service_ids, start

ACTIONS = ["next", "back", "choose", "answer", "edit", "page", "page_next", "page_prev", "print",
           "rate", "report", "skip", "cancel", "retry", "submit", "confirm", "capture",
           "identified", "guide", "send", "resume", "finish", "nonsense"]
VALUES = st.one_of(
    st.none(), st.text(max_size=20), st.integers(-5, 50), st.lists(st.text(max_size=8), max_size=3),
    st.fixed_dictionaries({"score": st.integers(-1, 7), "reasons": st.lists(st.text(max_size=5),
                                                                           max_size=2)}),
    st.sampled_from(["13800138000", "2026-03-01", "310104198503151231", "job", "5", "icbc"]),
)
INTENTS = st.lists(st.builds(Intent, st.sampled_from(ACTIONS), VALUES), max_size=40)
pytestmark = pytest.mark.slow


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(service=st.sampled_from(service_ids()), intents=INTENTS,
       failing=st.sampled_from([{}, {"submit_application": 1}, {"print_certificate": 2},
                                {"fetch_records": 1}, {"rate": 1}, {"licences": 1}]))
def test_random_intents_never_raise(service: str, intents: list[Intent],
                                    failing: dict[str, int]) -> None:
    run, ports, _ = start(service, fail=dict(failing))
    view = run.view()
    for intent in intents:
        view = run.send(intent)
        assert isinstance(view, View)
        assert view.title
    # never two applications or two different serials from one run
    assert len(ports.applications) <= 1
    assert len({c.serial for c in ports.printed_certificates}) <= 1


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(service=st.sampled_from(service_ids()),
       noise=st.lists(st.tuples(st.booleans(), st.builds(Intent, st.sampled_from(ACTIONS),
                                                         VALUES)), max_size=60),
       failing=st.sampled_from([{}, {"submit_application": 1}, {"print_certificate": 1},
                                {"issue_certificate": 1}, {"print_receipt": 1}]))
def test_a_resident_who_mostly_follows_and_sometimes_taps_anything(
    service: str, noise: list[tuple[bool, Intent]], failing: dict[str, int]
) -> None:
    from tests.flows.driver import intent_for

    run, ports, fx = start(service, fail=dict(failing))
    view = run.view()
    for random_tap, intent in noise:
        if view.kind.value == "done":
            break
        view = run.send(intent if random_tap else intent_for(view, fx.get("answers") or {}, run))
        assert isinstance(view, View) and view.title
    assert len(ports.applications) <= 1
    assert len({c.serial for c in ports.printed_certificates}) <= 1
    assert len(ports.printed_certificates) <= 1
    assert len(ports.ratings) <= 1

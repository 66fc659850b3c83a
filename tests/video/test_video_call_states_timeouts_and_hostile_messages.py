"""The 视频帮办 call state machine (kiosk.core.video_call), headless: consent, waiting, the
call, the ways out, the idle timeout paused but the hard cap kept, a wipe mid-call, and hostile
messages from the network refused without a crash."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kiosk.core.session import Phase, SessionLifecycle, SessionTiming
from kiosk.core.video_call import CallPhase, Highlight, ScreenContext, VideoCall

STEP = ScreenContext("social-insurance-payments", "社保缴费记录查询", "records", "缴费记录",
                     "张三 2024-01 缴费 500 元")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class RecordingLink:
    """The link's seam (VideoLinkPort): what the call asked of it, in order."""

    def __init__(self) -> None:
        self.opened: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []
        self.closed = 0
        self.media_ended = False
        self.muted: list[bool] = []

    def open(self, request: dict[str, Any]) -> None:
        self.opened.append(request)

    def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)

    def set_muted(self, muted: bool) -> None:
        self.muted.append(muted)

    def end_media(self) -> None:
        self.media_ended = True

    def close(self) -> None:
        self.closed += 1


def make(tmp_path: Path, enabled: bool = True) -> tuple[VideoCall, SessionLifecycle, Clock,
                                                        RecordingLink]:
    clock = Clock()
    life = SessionLifecycle(SessionTiming(idle_timeout_seconds=60, hard_cap_seconds=600),
                            clock, tmp_path / "s")
    link = RecordingLink()
    call = VideoCall(life, link, enabled=enabled, queue="district:110105",
                     recording_notice="", hours="工作日 9:00-17:00")
    life.start()
    return call, life, clock, link


def in_call(call: VideoCall, share: bool = False) -> None:
    call.ask(STEP)
    call.set_share_screen(share)
    call.consent()
    call.on_message({"type": "queued", "call_id": "c1", "position": 2, "estimate_s": 90})
    call.on_message({"type": "accepted", "call_id": "c1",
                     "staff": {"name": "王芳", "badge": "B1024"}})


def test_decline_sends_nothing_and_returns(tmp_path: Path) -> None:
    call, _, _, link = make(tmp_path)
    call.ask(STEP)
    assert call.phase is CallPhase.CONSENT
    call.decline()
    assert call.phase is CallPhase.IDLE and not link.opened and not link.sent


def test_consent_requests_the_sites_queue_without_screen_text(tmp_path: Path) -> None:
    call, life, _, link = make(tmp_path)
    call.ask(STEP)
    call.consent()
    assert call.phase is CallPhase.WAITING and life.idle_held
    request = link.opened[0]
    assert request["queue"] == "district:110105" and request["share_screen"] is False
    assert request["step_title"] == "缴费记录" and "张三" not in str(request)


def test_waiting_shows_position_and_cancel_tells_the_console(tmp_path: Path) -> None:
    call, life, _, link = make(tmp_path)
    call.ask(STEP)
    call.consent()
    call.on_message({"type": "queued", "call_id": "c1", "position": 3, "estimate_s": 120})
    assert (call.state.position, call.state.estimate_s) == (3, 120)
    call.cancel()
    assert link.sent[-1] == {"type": "cancel"} and call.phase is CallPhase.IDLE
    assert not life.idle_held and link.closed


def test_idle_paused_in_call_but_hard_cap_holds(tmp_path: Path) -> None:
    call, life, clock, link = make(tmp_path)
    in_call(call)
    clock.now += 300  # far beyond the 60 s idle timeout
    life.tick()
    assert life.phase is Phase.ACTIVE and call.phase is CallPhase.IN_CALL
    clock.now += 301  # past the 600 s hard cap
    life.tick()
    assert life.phase is Phase.ATTRACT
    assert call.phase is CallPhase.IDLE
    assert {"type": "end", "reason": "wiped"} in link.sent and link.closed


def test_wipe_mid_call_ends_it_and_resumes_idle(tmp_path: Path) -> None:
    call, life, _, link = make(tmp_path)
    in_call(call)
    life.end("card_removed")
    assert call.phase is CallPhase.IDLE and call.state.staff_name == ""
    assert link.sent[-1] == {"type": "end", "reason": "wiped"}
    assert not life.idle_held


def test_in_call_hint_highlight_then_end_and_rate(tmp_path: Path) -> None:
    call, life, _, link = make(tmp_path)
    in_call(call)
    assert (call.state.staff_name, call.state.staff_badge) == ("王芳", "B1024")
    call.on_message({"type": "hint", "text": "请点击右下角的“下一步”"})
    call.on_message({"type": "highlight", "x": 0.7, "y": 0.85, "w": 0.5, "h": 0.3})
    assert call.state.hint == "请点击右下角的“下一步”"
    assert call.state.highlight == Highlight(0.7, 0.85, pytest.approx(0.3), pytest.approx(0.15))
    call.toggle_mute()
    assert call.state.muted and link.muted == [True]
    call.end()
    assert link.sent[-1] == {"type": "end", "reason": "resident"}
    assert call.phase is CallPhase.ENDED and not life.idle_held and link.media_ended
    call.rate(5)
    assert link.sent[-1] == {"type": "rating", "call_id": "c1", "score": 5}
    assert call.phase is CallPhase.IDLE


def test_step_change_in_call_sends_text_only_when_shared(tmp_path: Path) -> None:
    call, _, _, link = make(tmp_path)
    in_call(call, share=False)
    assert link.sent[-1]["step"] == "records" and "text" not in link.sent[-1]  # at accept
    call.on_screen(ScreenContext("s", "t", "confirm", "确认", "张三"))
    assert link.sent[-1]["step"] == "confirm" and "text" not in link.sent[-1]
    call.end()
    call.rate(4)
    in_call(call, share=True)
    call.on_screen(ScreenContext("s", "t", "print", "打印", "李四"))
    assert link.sent[-1]["text"] == "李四"


def test_no_staff_and_console_down_say_hours_and_hotline(tmp_path: Path) -> None:
    call, life, _, _ = make(tmp_path)
    call.ask(STEP)
    call.consent()
    call.on_message({"type": "unavailable", "reason": "no_staff", "hours": "工作日 9:00-17:00",
                     "hotline": "12345"})
    assert call.phase is CallPhase.UNAVAILABLE and call.state.hotline == "12345"
    assert "没有工作人员" in call.state.message and not life.idle_held
    call.dismiss()
    call.ask(STEP)
    call.consent()
    call.on_link_lost("console_down")
    assert call.phase is CallPhase.UNAVAILABLE and "无法连接" in call.state.message
    assert call.state.hours == "工作日 9:00-17:00"


def test_network_lost_mid_call_is_told(tmp_path: Path) -> None:
    call, _, _, _ = make(tmp_path)
    in_call(call)
    call.on_link_lost("network")
    assert call.phase is CallPhase.FAILED and "网络中断" in call.state.message
    call.dismiss()
    assert call.phase is CallPhase.IDLE


def test_staff_leaving_mid_call_is_told(tmp_path: Path) -> None:
    call, _, _, _ = make(tmp_path)
    in_call(call)
    call.on_message({"type": "ended", "reason": "staff_left"})
    assert call.phase is CallPhase.FAILED and "离开" in call.state.message


@pytest.mark.parametrize("message", [
    "not a dict", {"type": "hint", "text": 42}, {"type": "highlight", "x": "0.1"},
    {"type": "highlight", "x": float("nan"), "y": 0, "w": 1, "h": 1},
    {"type": "accepted", "staff": "王芳"}, {"type": "queued", "position": "1"},
    {"type": "whatever"}, {"no": "type"},
])
def test_hostile_messages_change_nothing(tmp_path: Path, message: Any) -> None:
    call, _, _, _ = make(tmp_path)
    in_call(call)
    before = call.state
    call.on_message(message)
    assert call.state == before


def test_long_hint_and_markup_are_cut(tmp_path: Path) -> None:
    call, _, _, _ = make(tmp_path)
    in_call(call)
    call.on_message({"type": "hint", "text": "[b]点[/b]" + "这" * 500 + "\x07"})
    assert len(call.state.hint) == 200 and "[" not in call.state.hint


def test_disabled_site_says_so(tmp_path: Path) -> None:
    call, _, _, link = make(tmp_path, enabled=False)
    call.ask(STEP)
    assert call.phase is CallPhase.UNAVAILABLE and not link.opened


def test_screen_context_fits_the_protocols_limits() -> None:
    from dataclasses import dataclass

    from flows.views import StepKind, View
    from kiosk.core.video_call import screen_context

    @dataclass
    class State:
        screen: str
        view: View | None = None
        service_title: str = ""

    home = screen_context(State("home"))
    assert (home.service, home.step) == ("home", "home")
    view = View(step_id="填表/步骤 1" * 20, kind=StepKind.MESSAGE, title="标" * 300,
                service_title="社保", body="正文" * 3000)
    step = screen_context(State("step", view), service_id="social-insurance")
    assert step.service == "social-insurance" and len(step.step) <= 64 and step.step
    assert len(step.step_title) == 128 and len(step.text) == 4000

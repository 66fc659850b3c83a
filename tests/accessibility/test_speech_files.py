"""Voice guidance produces a real WAV for every screen prompt (espeak-ng, both languages,
standard and elderly speed), with numbers and dates spoken as words, cached per prompt."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from flows.strings import STRINGS
from kiosk.core.accessibility import Preferences
from kiosk.voice.speech import (
    SAMPLE_RATE_HZ,
    SpeechOutcome,
    VoiceGuide,
    rate_for,
    scale_wav,
)

SAMPLE_VALUES = {"label": "联系电话", "name": "户口簿"}
#: Each screen's spoken prompt as the engine fills it (flows/strings.py speech.*), plus
#: prompts carrying numbers, dates, times, amounts and personal numbers.
SCREEN_PROMPTS = {
    locale: [text[locale].format(**SAMPLE_VALUES) for key, text in STRINGS.items()
             if key.startswith("speech.")]
    for locale in ("zh-CN", "en")
}
NUMBER_PROMPTS = [
    ("请于2026-11-21 14:30前到窗口领取", "二〇二六年十一月二十一日 十四点三十分"),
    ("本次应缴1,280.50元", "一千二百八十元五角"),
    ("共 25 条记录，第 1 页", "二十五"),
    ("您的证件号码是11010519491231002X", "已隐去"),
    ("办件编号SB20261121-0042，承诺3个工作日办结", "三个工作日"),
]


def _wav_info(path_or_bytes: Path | bytes) -> tuple[int, int, int, float]:
    source = path_or_bytes if isinstance(path_or_bytes, Path) else __import__("io").BytesIO(
        path_or_bytes)
    with wave.open(str(source) if isinstance(source, Path) else source, "rb") as wav:
        frames = wav.getnframes()
        return wav.getframerate(), wav.getnchannels(), wav.getsampwidth(), \
            frames / wav.getframerate()


@pytest.fixture
def guide(voice_cache: Path):  # type: ignore[no-untyped-def]
    guide = VoiceGuide(voice_cache, player=None)
    yield guide
    guide.close()


def test_there_are_screen_prompts() -> None:
    assert len(SCREEN_PROMPTS["zh-CN"]) >= 15 and len(SCREEN_PROMPTS["en"]) >= 15


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_a_wav_for_every_screen_prompt(guide: VoiceGuide, locale: str) -> None:
    paths = set()
    for prompt in SCREEN_PROMPTS[locale]:
        result = guide.synthesize(prompt, locale, rate_for(locale, slow=False))
        assert result.outcome is SpeechOutcome.GENERATED, prompt
        assert result.path is not None and result.path.parent == guide.cache_dir
        rate, channels, width, seconds = _wav_info(result.path)
        assert (rate, channels, width) == (SAMPLE_RATE_HZ, 1, 2)
        assert seconds > 0.3, prompt
        paths.add(result.path)
    assert len(paths) == len(set(SCREEN_PROMPTS[locale]))


@pytest.mark.parametrize(("prompt", "words"), NUMBER_PROMPTS)
def test_numbers_and_dates_are_spoken_as_words(guide: VoiceGuide, prompt: str,
                                               words: str) -> None:
    result = guide.synthesize(prompt, "zh-CN")
    assert result.outcome is SpeechOutcome.GENERATED
    assert words in result.spoken_text
    assert not any(c.isdigit() for c in result.spoken_text)
    assert _wav_info(result.path)[0] == SAMPLE_RATE_HZ  # type: ignore[arg-type]


def test_elderly_speech_is_slower_and_cached_separately(guide: VoiceGuide) -> None:
    prompt = "请将身份证放在下方感应区，放好后请不要移动"
    normal = guide.synthesize(prompt, "zh-CN", rate_for("zh-CN", slow=False))
    slow = guide.synthesize(prompt, "zh-CN", rate_for("zh-CN", slow=True))
    assert normal.path != slow.path
    assert _wav_info(slow.path)[3] > _wav_info(normal.path)[3] * 1.1  # type: ignore[arg-type]


def test_cache_hit_reuses_the_file(guide: VoiceGuide) -> None:
    first = guide.synthesize("请选择要办理的事项", "zh-CN")
    assert first.path is not None
    stamp = first.path.stat().st_ino
    again = guide.synthesize("请选择要办理的事项", "zh-CN")
    assert again.path == first.path and again.path.stat().st_ino == stamp
    assert again.wav == first.wav


def test_say_runs_in_the_background_and_follows_preferences(guide: VoiceGuide) -> None:
    guide.apply(Preferences(elderly=True, locale="en"))
    guide.say("Please choose a service")
    assert guide.wait_idle()
    assert guide.last_outcome is SpeechOutcome.GENERATED  # no sound device: generated only
    assert guide.last_path == guide.cache_path("Please choose a service", "en-us",
                                               rate_for("en", slow=True))
    assert guide.last_path.exists()


def test_muted_speaks_nothing(guide: VoiceGuide) -> None:
    guide.set_muted(True)
    guide.say("请选择要办理的事项")
    assert guide.wait_idle()
    assert guide.last_outcome is SpeechOutcome.MUTED
    assert list(guide.cache_dir.glob("*.wav")) == []


def test_personal_prompts_never_reach_the_cache(guide: VoiceGuide) -> None:
    result = guide.synthesize("您好，张三", "zh-CN", cache=False)
    assert result.outcome is SpeechOutcome.GENERATED and result.path is None
    assert _wav_info(result.wav)[0] == SAMPLE_RATE_HZ
    assert list(guide.cache_dir.iterdir()) == []


def test_played_through_a_player_at_the_chosen_volume(voice_cache: Path,
                                                      tmp_path: Path) -> None:
    played = tmp_path / "played.wav"
    # sox stands in for the sound card: it writes what it was given to a file
    guide = VoiceGuide(voice_cache, player=["sox", "-q", "-t", "wav", "-", str(played)])
    try:
        guide.set_volume(50)
        guide.say("请选择要办理的事项")
        assert guide.wait_idle()
        assert guide.last_outcome is SpeechOutcome.SPOKEN
        original = guide.last_path.read_bytes()  # type: ignore[union-attr]
        import numpy as np

        def peak(data: bytes) -> int:
            with wave.open(__import__("io").BytesIO(data), "rb") as wav:
                return int(np.abs(np.frombuffer(wav.readframes(wav.getnframes()),
                                                "<i2").astype(int)).max())

        assert peak(played.read_bytes()) == pytest.approx(peak(original) * 0.25, rel=0.02)
    finally:
        guide.close()


def test_a_new_prompt_cancels_the_one_playing(voice_cache: Path) -> None:
    # a player that never finishes on its own: only cancellation ends it
    guide = VoiceGuide(voice_cache, player=["sleep", "600"])
    try:
        guide.say("第一个提示")
        import time

        deadline = time.monotonic() + 10
        while guide._process is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert guide._process is not None
        playing = guide._process
        guide.say("")  # an empty prompt: stop and say nothing
        assert guide.wait_idle()
        assert playing.poll() is not None  # the old sound was killed
        assert guide.last_outcome is SpeechOutcome.EMPTY
    finally:
        guide.close()


def test_missing_engine_is_a_value_not_a_crash(voice_cache: Path) -> None:
    guide = VoiceGuide(voice_cache, engine="/nonexistent/espeak-ng", player=None)
    try:
        guide.say("请选择")
        assert guide.wait_idle()
        assert guide.last_outcome is SpeechOutcome.ENGINE_MISSING
    finally:
        guide.close()


def test_scale_wav_keeps_the_format(guide: VoiceGuide) -> None:
    wav = guide.synthesize("好", "zh-CN").wav
    quiet = scale_wav(wav, 0)
    assert _wav_info(quiet)[:3] == _wav_info(wav)[:3]
    assert scale_wav(wav, 100) == wav


def test_cache_is_pruned_to_its_limit(voice_cache: Path) -> None:
    guide = VoiceGuide(voice_cache, player=None, max_cache_files=3)
    try:
        for prompt in ("一", "二", "三", "四", "五"):
            guide.synthesize(prompt, "zh-CN")
        import os

        stale, fresh = voice_cache / "crashed.part", voice_cache / "writing.part"
        stale.write_bytes(b"RIFF")
        fresh.write_bytes(b"RIFF")
        os.utime(stale, (1, 1))
        guide._prune_cache()  # runs every 50 writes and at start
        assert len(list(voice_cache.glob("*.wav"))) == 3
        assert not stale.exists() and fresh.exists()  # another thread may be writing it
    finally:
        guide.close()


def test_say_once_does_not_repeat_a_re_rendered_prompt(guide: VoiceGuide) -> None:
    assert guide.say_once("step_form", "请输入联系电话")
    assert not guide.say_once("step_form", "请输入联系电话")  # the timer re-rendered it
    assert guide.say_once("step_form", "请输入联系地址")  # a new question
    assert guide.wait_idle()
    guide.forget()  # session wipe
    assert guide.say_once("step_form", "请输入联系地址")
    assert guide.wait_idle()


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_the_kiosk_screens_prompts_are_prefetched(guide: VoiceGuide, locale: str) -> None:
    from kiosk.voice.prompts import SCREEN_PROMPTS, fixed_prompts, prompt_for

    prompts = fixed_prompts(locale)
    assert len(prompts) == len(SCREEN_PROMPTS)
    assert guide.prefetch(prompts, locale) == len(prompts)
    assert guide.prefetch(prompts, locale, slow=True) == len(prompts)
    assert len(list(guide.cache_dir.glob("*.wav"))) == 2 * len(prompts)
    for path in guide.cache_dir.glob("*.wav"):
        assert _wav_info(path)[0] == SAMPLE_RATE_HZ
    english = locale == "en"
    # home names its first choice, 个人办事 / 法人办事 (ADR 0770)
    assert prompt_for("home", "", locale) == (
        "Choose personal or business services, then choose a service" if english
        else "请选择个人办事或法人办事，再选择要办理的事项")
    assert prompt_for("step_form", "请输入联系电话", locale) == "请输入联系电话"
    assert prompt_for("technician", "", locale) == ""

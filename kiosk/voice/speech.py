"""Voice guidance: each screen's prompt spoken through espeak-ng in a background worker.

Workflow: the UI calls `VoiceGuide.say(view.speech)` when a screen appears. The call returns at
once; a single worker thread turns numbers, dates and amounts into words
(`kiosk.voice.numbers.to_spoken`), synthesises a WAV file with espeak-ng (Mandarin with tones:
``-v cmn-latn-pinyin``; English: ``-v en-us``), and plays it through the first usable player
(paplay with a PulseAudio server, else aplay or sox ``play`` with an ALSA device). A new prompt
cancels the one being spoken; mute stops speech at once. Without a sound device the WAV files
are still generated (this is what the tests check).

Cached prompts are kept as ``<sha256>.wav`` in a cache folder keyed by (engine version, voice,
speed, spoken text), least recently used pruned beyond ``max_cache_files``. Prompts with personal
data (a greeting with a name) are spoken with ``cache=False``: they are synthesised in a private
temporary folder (RAM when /dev/shm exists) and deleted at once, never kept on disk.

Volume (0..100) is applied when playing, by scaling the samples (gain = (volume/100)^2, close
to how loudness is heard), so one cached file serves every volume.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import shutil
import subprocess
import tempfile
import threading
import time
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from kiosk.core.accessibility import ELDERLY_SPEECH_RATE_WPM, SPEECH_RATE_WPM, Preferences
from kiosk.core.events import log_event
from kiosk.voice.numbers import PersonalNumbers, to_spoken

log = logging.getLogger(__name__)

#: espeak-ng voice per locale.
VOICES = {"zh-CN": "cmn-latn-pinyin", "en": "en-us"}
#: espeak-ng writes 16-bit mono WAV at this rate.
SAMPLE_RATE_HZ = 22050
#: Longest one synthesis may take before it is abandoned (a prompt is ~20 ms).
SYNTH_TIMEOUT_SECONDS = 10.0
#: How often the worker checks whether the sound being played was cancelled.
CANCEL_POLL_SECONDS = 0.05
#: Longest a player may run for one prompt (prompts are a few seconds).
PLAY_TIMEOUT_SECONDS = 60.0
DEFAULT_MAX_CACHE_FILES = 2000
#: A half-written file older than this was left by a crash (synthesis takes ~20 ms).
STALE_PART_SECONDS = 60.0


class SpeechOutcome(StrEnum):
    """What happened to the last prompt (expected failures are values)."""

    SPOKEN = "spoken"  # synthesised and played to the end
    GENERATED = "generated"  # synthesised; no sound device to play it on
    MUTED = "muted"  # not spoken: sound is off
    EMPTY = "empty"  # nothing to say
    CANCELLED = "cancelled"  # replaced by a newer prompt or stopped
    ENGINE_MISSING = "engine_missing"  # espeak-ng is not installed
    ENGINE_FAILED = "engine_failed"  # espeak-ng returned an error
    PLAYER_FAILED = "player_failed"  # the player returned an error


@dataclass(frozen=True, slots=True)
class Synthesis:
    """One synthesised prompt: the WAV bytes and, when cached, the file."""

    outcome: SpeechOutcome
    wav: bytes = b""
    path: Path | None = None
    spoken_text: str = ""


@dataclass(frozen=True, slots=True)
class _Request:
    generation: int
    text: str
    locale: str
    rate_wpm: int
    cache: bool


def rate_for(locale: str, slow: bool) -> int:
    """espeak-ng speed (words per minute) for ``locale``; ``slow`` in elderly mode."""
    table = ELDERLY_SPEECH_RATE_WPM if slow else SPEECH_RATE_WPM
    return table.get(locale, table["zh-CN"])


def _pulse_running() -> bool:
    if os.environ.get("PULSE_SERVER"):
        return True
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    return runtime is not None and Path(runtime, "pulse", "native").exists()


def _alsa_device() -> bool:
    snd = Path("/dev/snd")
    return snd.is_dir() and any(p.name.startswith("pcm") for p in snd.iterdir())


def find_player() -> list[str] | None:
    """A command that plays a WAV given on stdin, or None when there is no sound output."""
    if shutil.which("paplay") and _pulse_running():
        return ["paplay"]
    if _alsa_device():
        if shutil.which("aplay"):
            return ["aplay", "-q", "-"]
        if shutil.which("play"):
            return ["play", "-q", "-t", "wav", "-"]
    return None


def scale_wav(wav: bytes, volume: int) -> bytes:
    """The same WAV with its 16-bit samples scaled for ``volume`` (0..100)."""
    gain = (max(0, min(100, volume)) / 100) ** 2
    if gain >= 1.0:
        return wav
    with wave.open(io.BytesIO(wav), "rb") as source:
        params = source.getparams()
        frames = source.readframes(source.getnframes())
    if params.sampwidth != 2:
        return wav
    import numpy as np  # at the first spoken prompt, not at start-up

    samples = np.frombuffer(frames, dtype="<i2").astype(np.float32) * gain
    out = io.BytesIO()
    with wave.open(out, "wb") as target:
        target.setparams(params)
        target.writeframes(np.clip(samples, -32768, 32767).astype("<i2").tobytes())
    return out.getvalue()


class VoiceGuide:
    """Speaks prompts in the background; the newest prompt wins. Call `close` when done."""

    def __init__(self, cache_dir: Path, *, engine: str = "espeak-ng",
                 player: Sequence[str] | bool | None = True,
                 personal: PersonalNumbers = PersonalNumbers.OMIT,
                 max_cache_files: int = DEFAULT_MAX_CACHE_FILES,
                 preferences: Preferences | None = None) -> None:
        """``player``: True finds one (`find_player`), None or False generates only, or a
        command reading a WAV on stdin (tests pass ``sox -t wav - out.wav``)."""
        self.cache_dir = Path(cache_dir)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self._engine = engine
        if player is True:
            self._player: list[str] | None = find_player()
        elif player is None or player is False:
            self._player = None
        else:
            self._player = list(player)
        self._personal = personal
        self._max_cache_files = max_cache_files
        self._prefs = preferences or Preferences()
        self._engine_id_value: str | None = None  # asked of the engine at first use
        self._cond = threading.Condition()
        self._pending: _Request | None = None
        self._generation = 0
        self._busy = False
        self._closed = False
        self._process: subprocess.Popen[bytes] | None = None
        self._writes = 0
        self.last_outcome: SpeechOutcome | None = None
        self.last_path: Path | None = None
        self._last_said: tuple[str, str, str] | None = None
        self._reported: set[SpeechOutcome] = set()
        self._prune_cache()
        self._worker = threading.Thread(target=self._run, name="voice-guide", daemon=True)
        self._worker.start()

    # -- controls ----------------------------------------------------------------------------
    @property
    def player(self) -> list[str] | None:
        """The player command in use, or None when prompts are only generated."""
        return list(self._player) if self._player else None

    @property
    def muted(self) -> bool:
        """True when nothing is spoken."""
        return self._prefs.muted

    @property
    def volume(self) -> int:
        """Playback volume 0..100."""
        return self._prefs.volume

    def apply(self, preferences: Preferences) -> None:
        """Follow the session's preferences (language, elderly speed, mute, volume)."""
        self._prefs = preferences
        if preferences.muted:
            self.stop()

    def set_muted(self, muted: bool) -> None:
        """Sound off (stops the current prompt) or on."""
        self.apply(self._prefs.with_muted(muted))

    def set_volume(self, volume: int) -> None:
        """Volume 0..100 (clamped); applies from the next prompt."""
        self.apply(self._prefs.with_volume(volume))

    def say(self, text: str, *, locale: str | None = None, cache: bool = True) -> int:
        """Speak ``text`` soon, cancelling whatever is being said; returns the request number.

        ``cache=False`` for text with personal data: it is never written to the cache.
        """
        locale = locale or self._prefs.locale
        with self._cond:
            self._generation += 1
            generation = self._generation
            if self._prefs.muted or not text.strip():
                self._pending = None
                self.last_outcome = (SpeechOutcome.MUTED if self._prefs.muted
                                     else SpeechOutcome.EMPTY)
                self._kill_player()
            else:
                self._pending = _Request(generation, text, locale,
                                         rate_for(locale, self._prefs.elderly), cache)
                self._kill_player()
            self._cond.notify_all()
        return generation

    def say_once(self, key: str, text: str, *, locale: str | None = None,
                 cache: bool = True) -> bool:
        """Speak ``text`` unless it was the last thing said for ``key`` (a screen re-rendered
        by a timer must not repeat its prompt); True when it was queued."""
        marker = (key, text, locale or self._prefs.locale)
        if marker == self._last_said:
            return False
        self._last_said = marker
        self.say(text, locale=locale, cache=cache)
        return True

    def forget(self) -> None:
        """Stop and forget what was said (session wipe: the next resident hears every prompt)."""
        self._last_said = None
        self.stop()

    def stop(self) -> None:
        """Stop speaking now (mute, session wipe, leaving the screen)."""
        with self._cond:
            self._generation += 1
            self._pending = None
            self._kill_player()
            self.last_outcome = SpeechOutcome.CANCELLED
            self._cond.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until nothing is pending or playing; False after ``timeout`` seconds."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending is None and not self._busy,
                                       timeout)

    def close(self) -> None:
        """Stop speaking and end the worker."""
        with self._cond:
            self._closed = True
            self._pending = None
            self._kill_player()
            self._cond.notify_all()
        self._worker.join(timeout=5)

    # -- synthesis ----------------------------------------------------------------------------
    def cache_path(self, spoken_text: str, voice: str, rate_wpm: int) -> Path:
        """Where the WAV for this (text, voice, speed) is cached."""
        key = "\0".join((self._engine_id, voice, str(rate_wpm), spoken_text))
        return self.cache_dir / (hashlib.sha256(key.encode("utf-8")).hexdigest() + ".wav")

    def synthesize(self, text: str, locale: str = "zh-CN", rate_wpm: int | None = None,
                   cache: bool = True) -> Synthesis:
        """Synthesise ``text`` now (blocking; the worker and `prefetch` use this)."""
        spoken = to_spoken(text, locale, self._personal).strip()
        if not spoken:
            return Synthesis(SpeechOutcome.EMPTY)
        voice = VOICES.get(locale, VOICES["zh-CN"])
        rate = rate_wpm or rate_for(locale, False)
        if cache:
            path = self.cache_path(spoken, voice, rate)
            if path.exists():
                try:
                    os.utime(path)
                    return Synthesis(SpeechOutcome.GENERATED, path.read_bytes(), path, spoken)
                except OSError:
                    pass
            with tempfile.NamedTemporaryFile(dir=self.cache_dir, suffix=".part",
                                             delete=False) as handle:
                part = Path(handle.name)
            outcome = self._run_engine(spoken, voice, rate, part)
            if outcome is not SpeechOutcome.GENERATED:
                part.unlink(missing_ok=True)
                return Synthesis(outcome, spoken_text=spoken)
            try:
                os.replace(part, path)
            except OSError:
                part.unlink(missing_ok=True)
                return Synthesis(self._report(SpeechOutcome.ENGINE_FAILED), spoken_text=spoken)
            self._writes += 1
            if self._writes % 50 == 0:
                self._prune_cache()
            return Synthesis(outcome, path.read_bytes(), path, spoken)
        private = "/dev/shm" if Path("/dev/shm").is_dir() else None
        with tempfile.TemporaryDirectory(dir=private, prefix="kiosk-voice-") as folder:
            target = Path(folder) / "prompt.wav"
            outcome = self._run_engine(spoken, voice, rate, target)
            wav = target.read_bytes() if outcome is SpeechOutcome.GENERATED else b""
        return Synthesis(outcome, wav, None, spoken)

    def prefetch(self, texts: Sequence[str], locale: str = "zh-CN", slow: bool = False) -> int:
        """Synthesise fixed prompts ahead of time (start-up); returns how many are cached."""
        rate = rate_for(locale, slow)
        return sum(self.synthesize(text, locale, rate).path is not None for text in texts)

    @property
    def _engine_id(self) -> str:
        """The engine's version, part of every cache key: asked at the first synthesis (on
        the voice thread), not while the kiosk starts (a process started and waited for
        before the first frame, docs/adr/0815)."""
        if self._engine_id_value is None:
            self._engine_id_value = self._engine_version()
        return self._engine_id_value

    def _engine_version(self) -> str:
        try:
            done = subprocess.run([self._engine, "--version"], capture_output=True, timeout=5,
                                  check=False)
            return done.stdout.decode("utf-8", "replace").split("Data at")[0].strip()
        except (OSError, subprocess.SubprocessError):
            return "unavailable"

    def _run_engine(self, spoken: str, voice: str, rate_wpm: int, target: Path) -> SpeechOutcome:
        command = [self._engine, "-v", voice, "-s", str(rate_wpm), "-w", str(target), "--stdin"]
        try:
            done = subprocess.run(command, input=spoken.encode("utf-8"), capture_output=True,
                                  timeout=SYNTH_TIMEOUT_SECONDS, check=False)
        except FileNotFoundError:
            return self._report(SpeechOutcome.ENGINE_MISSING)
        except (OSError, subprocess.SubprocessError):
            return self._report(SpeechOutcome.ENGINE_FAILED)
        if done.returncode != 0 or not target.exists() or target.stat().st_size <= 44:
            return self._report(SpeechOutcome.ENGINE_FAILED)
        return SpeechOutcome.GENERATED

    def _report(self, outcome: SpeechOutcome) -> SpeechOutcome:
        """Log a failure once per kind (report changes only; never the text)."""
        if outcome not in self._reported:
            self._reported.add(outcome)
            log_event(log, "voice_" + outcome.value, logging.WARNING,
                      engine=self._engine, player=(self._player or ["none"])[0])
        return outcome

    def _prune_cache(self) -> None:
        try:
            files = sorted(self.cache_dir.glob("*.wav"), key=lambda p: p.stat().st_mtime)
            cutoff = time.time() - STALE_PART_SECONDS
            for stale in self.cache_dir.glob("*.part"):  # left by a crash mid-synthesis
                if stale.stat().st_mtime < cutoff:
                    stale.unlink(missing_ok=True)
        except OSError:
            return
        for old in files[:max(0, len(files) - self._max_cache_files)]:
            old.unlink(missing_ok=True)

    # -- the worker ---------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending is not None or self._closed)
                if self._closed:
                    return
                request, self._pending = self._pending, None
                self._busy = True
            assert request is not None
            try:
                outcome = self._speak(request)
            except Exception as exc:  # the voice must never take the kiosk down
                log_event(log, "voice_worker_error", logging.ERROR, error=type(exc).__name__)
                outcome = SpeechOutcome.ENGINE_FAILED
            with self._cond:
                if request.generation == self._generation or outcome is not \
                        SpeechOutcome.CANCELLED:
                    self.last_outcome = outcome
                self._busy = False
                self._cond.notify_all()

    def _current(self, request: _Request) -> bool:
        return request.generation == self._generation and not self._closed

    def _speak(self, request: _Request) -> SpeechOutcome:
        result = self.synthesize(request.text, request.locale, request.rate_wpm, request.cache)
        if result.path is not None:
            self.last_path = result.path
        if result.outcome is not SpeechOutcome.GENERATED:
            return result.outcome
        if not self._current(request):
            return SpeechOutcome.CANCELLED
        if self._player is None:
            return SpeechOutcome.GENERATED
        return self._play(request, scale_wav(result.wav, self._prefs.volume))

    def _play(self, request: _Request, wav: bytes) -> SpeechOutcome:
        with self._cond:
            if not self._current(request) or self._prefs.muted:
                return SpeechOutcome.CANCELLED
            try:
                process = subprocess.Popen(self._player or [], stdin=subprocess.PIPE,
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            except OSError:
                return self._report(SpeechOutcome.PLAYER_FAILED)
            self._process = process
        feeder = threading.Thread(target=_feed, args=(process, wav), daemon=True)
        feeder.start()
        waited = 0.0
        try:
            while True:
                try:
                    code = process.wait(timeout=CANCEL_POLL_SECONDS)
                    break
                except subprocess.TimeoutExpired:
                    waited += CANCEL_POLL_SECONDS
                    if not self._current(request) or waited > PLAY_TIMEOUT_SECONDS:
                        process.kill()
                        process.wait()
                        return SpeechOutcome.CANCELLED
        finally:
            feeder.join(timeout=1)
            with self._cond:
                self._process = None
        if not self._current(request):
            return SpeechOutcome.CANCELLED
        return SpeechOutcome.SPOKEN if code == 0 else self._report(SpeechOutcome.PLAYER_FAILED)

    def _kill_player(self) -> None:
        """Stop the sound now (caller holds the lock)."""
        if self._process is not None and self._process.poll() is None:
            with contextlib.suppress(OSError):
                self._process.kill()


def _feed(process: subprocess.Popen[bytes], wav: bytes) -> None:
    """Write the WAV to the player's stdin; a killed player closes the pipe."""
    try:
        assert process.stdin is not None
        process.stdin.write(wav)
        process.stdin.close()
    except (BrokenPipeError, OSError, ValueError):
        pass

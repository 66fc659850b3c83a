"""The composition root below the UI: builds every part of a terminal from its settings.

`compose` is the one place the kiosk app is built (ADR 0400): `kiosk run`, the tour, the
benchmarks, the crash runner and every UI test get their `KioskApp` from it, and change only
what its parameters allow (the task runner, a clock, simulated devices through the settings and
``device_options``, the data folder through the settings, a site file, technician test options).

`build_kiosk` is its Kivy-free half: the session lifecycle, the platform client (or the embedded
sandbox in the demo profile), the device hub, the outbox, printing, the catalogue, preferences,
voice, the resident controller and the technician controller, so headless runs (the crash
runner, the engine soak, integration tests) get the same terminal without a window. Devices are
opened by `start_devices`, after the first frame.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk import REPO_ROOT
from kiosk.adapters.capture import DocumentCapture
from kiosk.adapters.catalogue import KioskCatalogue
from kiosk.adapters.devices import DeviceHub, hardware_options
from kiosk.adapters.identity import PlatformVerifier
from kiosk.adapters.session_ports import KioskSessionPorts
from kiosk.core.accessibility import Preferences, PreferenceStore
from kiosk.core.controller import KioskController
from kiosk.core.events import log_event
from kiosk.core.face_flow import FaceFlow
from kiosk.core.session import Phase, SessionData, SessionLifecycle, SessionTiming
from kiosk.core.tasks import WORKER_THREAD_PREFIX, TaskRunner
from kiosk.ops.outbox import Outbox
from kiosk.platform.revoke import TokenRevoker, revoke_tokens_at_wipe
from kiosk.printing.service import KioskPrinting
from kiosk.technician.controller import TechnicianController
from kiosk.technician.device_tests import TestOptions
from kiosk.technician.pin import pin_store_for
from kiosk.technician.services import TechnicianServices, default_site_file, load_volume
from kiosk.voice.speech import VoiceGuide

if TYPE_CHECKING:
    from kiosk.boot.deferred_platform import DeferredPlatform
    from kiosk.boot.settings import Settings
    from kiosk.platform.client import PlatformClient
    from kiosk.ui.app import KioskApp

log = logging.getLogger(__name__)

BUILTIN_CATALOGUE = REPO_ROOT / "flows" / "catalogue"
#: How often the outbox retries pending submissions (the network may be back).
OUTBOX_INTERVAL_SECONDS = 30.0
#: How often devices that failed to open are tried again.
DEVICE_RETRY_INTERVAL_SECONDS = 15.0


@dataclass
class KioskParts:
    """Every long-lived part of one terminal."""

    settings: Settings
    lifecycle: SessionLifecycle
    hub: DeviceHub
    client: PlatformClient  # or a DeferredClient standing for it (``platform`` below)
    outbox: Outbox
    printing: KioskPrinting
    catalogue: KioskCatalogue
    controller: KioskController
    runner: TaskRunner
    sandbox: Any = None
    updater: Any = None
    bundle_version: str = "builtin"
    prefs: PreferenceStore = field(default_factory=PreferenceStore)
    voice: Any = None
    technician: TechnicianController | None = None
    heartbeat: Any = None
    housekeeping: Any = None
    console_link: Any = None  # kiosk.ops.console_link.ConsoleLink, or None ([console] url)
    #: 视频帮办 (kiosk.core.video_call.VideoCall and kiosk.adapters.video_link.VideoLink), or
    #: None when `[video] enabled` is false.
    video: Any = None
    video_link: Any = None
    #: Set by housekeeping for a scheduled restart; the launcher stops the app at attract.
    restart_requested: threading.Event = field(default_factory=threading.Event)
    #: `kiosk run`: the connection made after the first frame (``client`` stands for its
    #: client; ``sandbox`` is set once it is made). None: connected when built.
    platform: DeferredPlatform | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def connect_platform(self, wait: bool = False) -> None:
        """Make the deferred platform connection (on a thread unless ``wait``); nothing when
        the parts were built connected."""
        if self.platform is None:
            return
        if wait:
            self.platform.connection()
        else:
            self.platform.start()

    def start_devices(self) -> None:
        """Open the devices and start the background loops (outbox, device retry)."""
        from kiosk.platform.heartbeat import HEARTBEAT_INTERVAL_SECONDS, Heartbeat, TerminalReport

        self.connect_platform()  # `kiosk run`: the platform after the first frame
        threading.Thread(target=self.catalogue.prepare_search, name="kiosk-search-index",
                         daemon=True).start()  # pinyin keys (a child process) off the UI thread
        self.hub.start(self.controller.on_device_event)
        self.runner.call_soon(self.controller.refresh_availability)
        # --- console link (issue 17; kiosk/ops/console_link.py): reports to the console ---
        from kiosk.ops.console_link import start_console_link
        self.console_link = start_console_link(self)
        # --- end console link ---
        self._reconcile_at_start()
        self._every(OUTBOX_INTERVAL_SECONDS, self.outbox.deliver_pending, "outbox")
        self._every(DEVICE_RETRY_INTERVAL_SECONDS, self.hub.retry_missing, "device-retry")
        heartbeat = Heartbeat(self.client, TerminalReport(
            self.hub, self.outbox, self.lifecycle, bundle_version=lambda: self.bundle_version,
            last_update=self._update_report))
        self.heartbeat = heartbeat
        self._every(HEARTBEAT_INTERVAL_SECONDS, heartbeat.send, "heartbeat")
        self._start_housekeeping()
        if self.updater is not None:
            thread = threading.Thread(target=self.updater.run_polling,
                                      args=(self._stop,
                                            self.settings.updates.poll_interval_seconds,
                                            self._after_poll),
                                      name="kiosk-updates", daemon=True)
            thread.start()
            self._threads.append(thread)
            self.lifecycle.on_wipe(self._switch_bundle_between_sessions)

    def _start_housekeeping(self) -> None:
        """Daily housekeeping in the quiet window, between sessions (kiosk.ops.housekeeping)."""
        from kiosk.ops.housekeeping import Housekeeping

        data_dir = self.settings.data_dir
        self.housekeeping = Housekeeping(
            self.settings.housekeeping, data_dir=data_dir, log_dir=data_dir / "log",
            sessions_dir=data_dir / "sessions", outbox=self.outbox,
            print_journal=self.printing.journal,
            is_idle=lambda: self.lifecycle.phase in (Phase.ATTRACT, Phase.OUT_OF_SERVICE),
            request_restart=self.restart_requested.set)
        self._every(self.settings.housekeeping.check_interval_seconds,
                    self.housekeeping.tick, "housekeeping")

    def _reconcile_at_start(self) -> None:
        """After a crash: deliver the outbox, settle interrupted prints (kiosk.ops.recovery)."""
        from kiosk.ops.recovery import reconcile_at_start

        self.runner.submit(lambda: reconcile_at_start(self.outbox, self.printing),
                           lambda _report: None)

    def _update_report(self) -> dict[str, Any]:
        if self.updater is not None:
            return dict(self.updater.heartbeat())
        from kiosk.updates import plain  # updates off: say so, and what runs (ADR 0731)
        from kiosk.updates.state import load_state

        state = load_state(self.settings.data_dir / "updates" / "state.json")
        return {"bundle_version": None, "update_summary": plain.summary(
            state, _updates_off_reason(self.settings) or "not started")}

    def _after_poll(self, _outcome: Any) -> None:
        """After each poll (updates thread): a bundle the poll activated while the terminal is
        idle reaches its screen now, not after the next resident's session (ADR 0731)."""
        active = self.updater.active_bundle() if self.updater is not None else None
        if active is not None and str(active.version) != self.bundle_version:
            self.runner.call_soon(lambda: self._reload_if_idle(active))

    def _reload_if_idle(self, active: Any) -> None:
        """On the UI thread: load ``active``'s services if no resident is in session (else the
        return to attract does it)."""
        if self.lifecycle.phase not in (Phase.ATTRACT, Phase.OUT_OF_SERVICE):
            return
        if str(active.version) == self.bundle_version:
            return
        try:
            self.catalogue.reload(Path(active.path))
        except Exception as exc:  # a bundle that passed its check; still never crash the UI
            log_event(log, "bundle_reload_failed", logging.ERROR, version=active.version,
                      error=type(exc).__name__)
            return
        self.bundle_version = str(active.version)
        log_event(log, "bundle_switched", version=self.bundle_version, when="idle")

    def _switch_bundle_between_sessions(self) -> None:
        """At every return to attract: activate a staged bundle and reload the catalogue."""
        updater = self.updater
        if updater is None:
            return
        def work() -> Any:
            updater.activate()
            return updater.active_bundle()

        def done(active: Any) -> None:
            if isinstance(active, Exception) or active is None:
                return
            if str(active.version) != self.bundle_version:
                self.catalogue.reload(Path(active.path))
                self.bundle_version = str(active.version)
                log_event(log, "bundle_switched", version=self.bundle_version)
        self.runner.submit(work, done)

    def _every(self, seconds: float, fn: Callable[[], object], name: str) -> None:
        def loop() -> None:
            while not self._stop.wait(seconds):
                try:
                    fn()
                except Exception as exc:  # a background loop must survive anything
                    log_event(log, "background_failed", logging.WARNING, loop=name,
                              error=type(exc).__name__)
        thread = threading.Thread(target=loop, name=f"kiosk-{name}", daemon=True)
        thread.start()
        self._threads.append(thread)

    def close(self) -> None:
        """Stop everything (devices, loops, the sandbox)."""
        self._stop.set()
        if self.console_link is not None:  # console link: "stopped" event, then stop
            self.console_link.close()
        if self.video_link is not None:  # 视频帮办: end any call, stop the media thread
            self.video_link.shutdown()
        if self.voice is not None:
            self.voice.close()
        self.hub.stop()
        if self.platform is not None:
            self.platform.close()  # the client and the embedded sandbox, if they were made
        else:
            self.client.close()
            if self.sandbox is not None:
                self.sandbox.stop()
        if self.sandbox is not None:
            from kiosk.sandbox.demo_address import forget_demo_url

            forget_demo_url(self.settings.data_dir, self.sandbox.url)

    def startup_notes(self) -> list[str]:
        """What a person starting a demo terminal needs to know (printed by `kiosk run`)."""
        if self.settings.profile != "demo":
            return []
        notes = []
        if self.sandbox is not None:
            fleet = "kiosk sandbox fleet"
            wanted = self.settings.platform.demo_port  # 0: any free port, nothing taken
            if wanted and self.sandbox.port != wanted:
                notes.append(f"kiosk: port {self.settings.platform.demo_port} is taken; the demo "
                             f"platform uses {self.sandbox.port} instead")
            notes.append(f"kiosk: demo platform (embedded sandbox) at {self.sandbox.url}; "
                         f"`{fleet}` lists this terminal")
        if self.settings.devices.document_printer.startswith("sim://"):
            notes.append(f"kiosk: demo A4 prints are kept in {demo_prints_dir(self.settings)}")
        return notes


def demo_prints_dir(settings: Settings) -> Path:
    """Where the simulated A4 printer of a demo terminal keeps what it printed."""
    return settings.data_dir.resolve() / "prints"


@dataclass(frozen=True)
class TechnicianSetup:
    """What a test may change about technician mode: where it looks for serial ports, whether
    it probes for IPP printers, and the device tests' time limits."""

    serial_globs: tuple[str, ...] = ()
    probe_ipp: bool = True
    test_options: TestOptions | None = None


def build_kiosk(settings: Settings, runner: TaskRunner,
                clock: Callable[[], float] = time.monotonic,
                catalogue_dir: Path = BUILTIN_CATALOGUE,
                device_options: dict[str, dict[str, Any]] | None = None,
                site_file: Path | None = None,
                technician: TechnicianSetup | None = None,
                wall_clock: Callable[[], float] = time.time,
                defer_platform: bool = False) -> KioskParts:
    """Build a terminal (devices not yet opened); the demo profile starts the sandbox.

    ``clock`` times sessions and the technician's corner hold; ``wall_clock`` the PIN
    lockouts (they survive a restart). ``defer_platform`` (`kiosk run`): the platform
    connection (and the demo's sandbox) is made by `KioskParts.connect_platform`, which
    `start_devices` calls after the first frame, or at the client's first use
    (kiosk/boot/deferred_platform.py, docs/adr/0815)."""
    data_dir = settings.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    platform: DeferredPlatform | None = None
    client: Any
    if defer_platform:
        from kiosk.boot.deferred_platform import DeferredPlatform

        platform = DeferredPlatform(lambda: _connect(settings, data_dir))
        client, sandbox = platform.client, None
    else:
        connection = _connect(settings, data_dir)
        client, sandbox = connection.client, connection.sandbox
    timing = SessionTiming(settings.session.idle_timeout_seconds,
                           settings.session.still_there_countdown_seconds,
                           settings.session.hard_cap_seconds,
                           settings.session.after_service_countdown_seconds)
    lifecycle = SessionLifecycle(timing, clock, data_dir / "sessions")
    revoke_tokens_at_wipe(lifecycle, TokenRevoker(client),
                          cancel=lambda: client.cancel_calls(WORKER_THREAD_PREFIX))
    options = hardware_options(settings.hardware)
    if settings.profile == "demo" and settings.devices.document_printer.startswith("sim://"):
        # demo prints are kept in the data folder, not in the simulator's temporary folder
        options.setdefault("document_printer", {})["spool"] = demo_prints_dir(settings)
    for name, extra in (device_options or {}).items():
        options.setdefault(name, {}).update(extra)
    hub = DeviceHub(settings.devices.model_dump(), runner.call_soon, options)
    outbox = Outbox(data_dir / "outbox.sqlite3", client)
    printing = KioskPrinting(hub, data_dir, demo=settings.profile == "demo")

    capture = DocumentCapture(hub)

    def ports_for(session: SessionData) -> KioskSessionPorts:
        return KioskSessionPorts(session, client, hub.usable, printing, outbox, capture,
                                 device_reason=lambda name: hub.status(name).reason)

    # no resident in session: attract, out of service, or the wipe after a session (whose
    # hooks switch bundles before the phase returns to attract)
    updater = _build_updater(settings, lambda: lifecycle.phase in (
        Phase.ATTRACT, Phase.WIPING, Phase.OUT_OF_SERVICE))
    bundle_version = "builtin"
    active = updater.active_bundle() if updater is not None else None
    if active is not None:
        catalogue_dir, bundle_version = Path(active.path), str(active.version)
    prefs = PreferenceStore(Preferences(volume=load_volume(data_dir)))
    catalogue = KioskCatalogue.deferred(catalogue_dir, ports_for)  # read after the first frame
    catalogue.use_counts_file(data_dir / "usage-counts.json")  # 常用 and search ranking
    catalogue.use_pinyin_cache(data_dir / "cache" / "pinyin")  # no pypinyin in this process
    catalogue.set_locale(lambda: prefs.current.locale,
                         lambda: prefs.current.records_page_size if prefs.current.elderly else 0)
    controller = KioskController(lifecycle, catalogue, PlatformVerifier(client), runner,
                                 hub.status)
    FaceFlow.attach(controller, client, hub, settings)
    voice = VoiceGuide(data_dir / "cache" / "voice")
    lifecycle.on_wipe(lambda: _discard(prefs.reset()))
    lifecycle.on_wipe(voice.forget)
    setup = technician or TechnicianSetup()
    services = TechnicianServices(
        settings, hub, site_file=site_file or default_site_file(),
        pins=pin_store_for(data_dir, wall_clock, profile=settings.profile), client=client,
        serial_globs=setup.serial_globs, probe_ipp=setup.probe_ipp,
        test_options=setup.test_options)
    technician_controller = TechnicianController(services, lifecycle, runner, clock,
                                                 sample_volume=_volume_sample(voice))
    controller.on_technician_card = technician_controller.card_presented
    controller.technician_card_at_attract = technician_controller.card_at_attract
    parts = KioskParts(settings, lifecycle, hub, client, outbox, printing, catalogue, controller,
                       runner, sandbox, updater, bundle_version, prefs, voice,
                       technician=technician_controller, platform=platform)
    if platform is not None:
        platform.when_connected(lambda connection: setattr(parts, "sandbox", connection.sandbox))
    _attach_video(parts)
    return parts


def _connect(settings: Settings, data_dir: Path) -> Any:
    """`kiosk.platform.connect.connect` (imported here: the HTTP stack loads with it)."""
    from kiosk.platform.connect import connect

    return connect(settings, data_dir)


def _attach_video(parts: KioskParts) -> None:
    """视频帮办 (docs/adr/0760): the call (core), its link to the console (adapter), the
    controller's steps told to the helper. Nothing when `[video] enabled` is false."""
    settings = parts.settings
    if not settings.video.enabled:
        return
    from kiosk.adapters.video_link import VideoLink, endpoint_for
    from kiosk.core.video_call import VideoCall, screen_context

    hub, controller, prefs = parts.hub, parts.controller, parts.prefs
    from kiosk.ops.console_link import link_credentials

    credentials = link_credentials(settings) if settings.console.url else None
    link = VideoLink(endpoint_for(settings.console.url, credentials), lambda: hub.get("camera"),
                     parts.runner.call_soon, settings.video.ice_servers)
    call = VideoCall(parts.lifecycle, link, enabled=True, queue=settings.video.queues[0],
                     recording_notice=settings.video.recording_notice,
                     hours=settings.video.hours, hotline=settings.video.hotline,
                     lang=lambda: "en" if prefs.current.locale.startswith("en") else "zh")
    link.on_message = call.on_message
    link.on_link_lost = call.on_link_lost
    controller.subscribe(lambda state: call.on_screen(screen_context(state,
                                                                     controller.service_id)))
    parts.video, parts.video_link = call, link


def _discard(_value: object) -> None:
    """Drop a wipe hook's return value."""


def _volume_sample(voice: VoiceGuide) -> Callable[[int], None]:
    """Let the technician hear a new volume."""
    def sample(percent: int) -> None:
        voice.set_volume(percent)
        voice.say("音量测试")
    return sample


@dataclass
class ComposedKiosk:
    """The whole kiosk, built but not running: its parts, the worker runner and the app.

    ``started`` is set by the launcher once the first frame has been drawn and the devices
    opened."""

    parts: KioskParts
    runner: TaskRunner
    app: KioskApp
    started: threading.Event = field(default_factory=threading.Event)

    def start_devices(self) -> None:
        """Open the devices and start the background loops (see `KioskParts.start_devices`)."""
        self.parts.start_devices()

    def close(self) -> None:
        """Stop the worker runner and every part."""
        shutdown = getattr(self.runner, "shutdown", None)
        if callable(shutdown):
            shutdown()
        self.parts.close()


def compose(settings: Settings, *, runner: TaskRunner | None = None,
            clock: Callable[[], float] = time.monotonic,
            wall_clock: Callable[[], float] = time.time,
            catalogue_dir: Path = BUILTIN_CATALOGUE,
            device_options: dict[str, dict[str, Any]] | None = None,
            site_file: Path | None = None,
            technician: TechnicianSetup | None = None,
            on_frame: Callable[[], None] | None = None,
            defer_platform: bool = False) -> ComposedKiosk:
    """The whole kiosk app from ``settings``: the parts (`build_kiosk`) and the `KioskApp`
    with preferences, voice, technician mode and, in the demo profile, the demo panel.

    The window must have been prepared (kiosk.ui.window.prepare); nothing runs yet: the
    launcher runs the app, a test drives it with kiosk.harness.ui_driver.UiDriver. ``runner``
    defaults to the UI's `ThreadRunner`; ``on_frame`` runs once after the first frame;
    ``defer_platform``: see `build_kiosk` (`kiosk run` and the processes started like it)."""
    from kiosk.core.tasks import ThreadRunner
    from kiosk.ui.app import KioskApp, dispatch_to_ui

    runner = runner or ThreadRunner(dispatch_to_ui)
    parts = build_kiosk(settings, runner, clock=clock, catalogue_dir=catalogue_dir,
                        device_options=device_options, site_file=site_file,
                        technician=technician, wall_clock=wall_clock,
                        defer_platform=defer_platform)

    def actions() -> list[tuple[str, Callable[[], None]]]:
        from kiosk.adapters.demo import demo_actions  # the demo cards: at the panel's opening

        return demo_actions(parts)

    app = KioskApp(parts.controller, settings.site_name,
                   demo_actions=actions if settings.profile == "demo" else None,
                   on_frame=on_frame, prefs=parts.prefs, voice=parts.voice,
                   technician=parts.technician, video=parts.video,
                   video_media=parts.video_link.remote if parts.video_link else None,
                   camera=lambda: parts.hub.get("camera"))
    return ComposedKiosk(parts, runner, app)


def _updates_off_reason(settings: Settings) -> str:
    """Why this terminal ignores bundles ("" when it follows its repository): the one rule
    `kiosk updates` and `kiosk doctor` also apply (kiosk.updates.plain)."""
    from kiosk.updates import plain

    return plain.updates_off_reason(settings.updates.repo_url,
                                    plain.trusted_root_path(settings.updates.trusted_root))


def _build_updater(settings: Settings, is_idle: Callable[[], bool]) -> Any:
    """The flow-bundle updater, or None when updates are not configured or have no root."""
    if not settings.updates.repo_url:
        return None
    from kiosk.updates import plain
    from kiosk.updates.checks import bundle_check
    from kiosk.updates.terminal import BundleUpdater, load_trusted_root

    root_path = plain.trusted_root_path(settings.updates.trusted_root)
    try:
        trusted_root = load_trusted_root(root_path)
    except OSError:
        log_event(log, "updates_disabled", logging.WARNING, reason="no trusted root",
                  path=str(root_path))
        return None
    updater = BundleUpdater(data_dir=settings.data_dir, repo_url=settings.updates.repo_url,
                            trusted_root=trusted_root, terminal_id=settings.terminal_id,
                            groups=settings.updates.groups, is_idle=is_idle,
                            check_bundle=bundle_check)
    updater.activate()
    return updater

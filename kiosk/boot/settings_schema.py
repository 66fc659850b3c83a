"""The configuration's schema: pydantic models, validated by `kiosk.boot.settings.load_settings`.

Kept apart from kiosk/boot/settings.py so that reading a configuration validated before does
not import pydantic (docs/adr/0816): `kiosk run` reads such a configuration plainly
(kiosk/boot/settings_plain.py). The helpers every model shares (file paths, sizes) are the mixins
of kiosk/boot/settings.py, so the plain reading answers them alike.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from kiosk.boot.settings import (
    DEVICE_SCHEMES,
    ConsoleLinkMethods,
    HardwareMethods,
    PlatformMethods,
    SettingsMethods,
)


class _Section(BaseModel):
    # inf and nan are numbers to TOML and to float(): never a timeout, size or interval here
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class SessionSettings(_Section):
    """Session timing."""

    idle_timeout_seconds: float = Field(60, gt=5, description="idle time before 'still there?'")
    still_there_countdown_seconds: float = Field(20, gt=3, description="countdown before wiping")
    hard_cap_seconds: float = Field(900, gt=30, description="no session lasts longer than this")
    after_service_countdown_seconds: float = Field(
        10, ge=3, le=60, description="when a service ends: 'continue?' countdown before wiping")


class PlatformSettings(PlatformMethods, _Section):
    """The government service platform."""

    base_url: str = Field("", description="API base URL; empty = embedded sandbox (demo only)")
    timeout_seconds: float = Field(5.0, gt=0, description="per-request timeout")
    retries: int = Field(2, ge=0, le=10, description="retries for idempotent calls")
    backoff_seconds: float = Field(0.3, ge=0, description="first retry delay, doubled each time")
    deadline_seconds: float = Field(15.0, gt=0, le=300, allow_inf_nan=False,
                                    description="hard end of one call, retries included")
    max_response_bytes: int = Field(8 * 1024 * 1024, ge=64 * 1024, le=256 * 1024 * 1024,
                                    description="largest answer accepted (after decompression)")
    ca_file: str = Field("", description="CA that signs the platform's certificate (PEM); "
                                         "the only trust anchor")
    cert_file: str = Field("", description="this terminal's certificate (PEM, `kiosk ca enrol`)")
    key_file: str = Field("", description="this terminal's private key (PEM, mode 0600)")

    demo_port: int = Field(8765, ge=0, le=65535,
                           description="the embedded sandbox's port (demo profile); taken or 0 = "
                                       "any free port")


class DisplaySettings(_Section):
    """The screen."""

    width: int = Field(0, ge=0, description="window width in px; 0 = the display's")
    height: int = Field(0, ge=0, description="window height in px; 0 = the display's")
    hide_cursor: Literal["auto", "yes", "no"] = Field("auto", description="auto: hidden on site")
    rotation: int = Field(
        0, description="screen content rotation in degrees; pinned here, never by Kivy's file")
    max_fps: int = Field(60, ge=10, le=120, description="frame rate cap of the UI loop")

    @field_validator("rotation")
    @classmethod
    def _quarter_turn(cls, value: int) -> int:
        if value not in (0, 90, 180, 270):
            raise ValueError("0, 90, 180 or 270 (degrees)")
        return value


class DeviceSettings(_Section):
    """One backend URL per device class; ``sim://...`` selects a simulator, ``none`` disables."""

    idcard: str = "sim://idcard"
    smartcard: str = "sim://smartcard"
    camera: str = "sim://camera"
    scanner: str = "sim://scanner"
    receipt_printer: str = "sim://receipt"
    document_printer: str = "sim://docprinter"

    @field_validator("*")
    @classmethod
    def _known_scheme(cls, value: str, info: ValidationInfo) -> str:
        if value == "none":
            return value
        schemes = DEVICE_SCHEMES[str(info.field_name)]
        scheme, sep, _rest = value.partition("://")
        if not sep or scheme.lower() not in schemes:
            examples = ", ".join(f"{s}://..." for s in schemes)
            raise ValueError(f"a backend URL starting with one of {examples}, or none")
        return value


class HardwareSettings(HardwareMethods, _Section):
    """Device parameters a technician sets on site (besides the connection URLs)."""

    receipt_paper_width_mm: Literal[58, 80] = Field(80, description="thermal paper roll width")
    camera_resolution: str = Field("640x480", pattern=r"^[1-9][0-9]{2,3}x[1-9][0-9]{2,3}$",
                                   description="capture size WxH asked of the camera")
    scanner_baud: Literal[9600, 19200, 38400, 57600, 115200] = Field(
        9600, description="baud rate of a serial (CDC) code scanner")



class IdentitySettings(_Section):
    """How residents are identified at this site."""

    face_check: bool = Field(False, description="人证比对 after an ID or social security card")
    face_capture_seconds: float = Field(20, ge=3, le=120,
                                        description="time limit for one face capture")
    face_attempts: int = Field(3, ge=1, le=5, description="face captures allowed per check")


class LoggingSettings(_Section):
    """Structured, rotating logs (personal data masked)."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    max_bytes: int = Field(5_000_000, ge=10_000, description="rotate after this many bytes")
    backups: int = Field(5, ge=1, le=100, description="rotated files kept")


class UpdateSettings(_Section):
    """Signed flow-bundle updates (TUF); no repository URL = built-in catalogue only."""

    repo_url: str = Field("", description="TUF repository base URL; empty disables updates")
    groups: tuple[str, ...] = Field((), description="rollout groups this terminal belongs to")
    poll_interval_seconds: float = Field(300, ge=10, description="how often to look for updates")
    trusted_root: str = Field("config/trusted_root.json",
                              description="the trusted TUF root shipped with the app")


class HousekeepingSettings(_Section):
    """Daily housekeeping in a quiet window (kiosk/ops/housekeeping.py), only between sessions."""

    window_start: str = Field("03:00", description="local time HH:MM the quiet window opens")
    window_end: str = Field("05:00", description="local time HH:MM it closes (may wrap)")
    log_retention_days: float = Field(14, gt=0, description="rotated logs older are removed")
    print_retention_days: float = Field(180, ge=30,
                                        description="done/voided prints older are purged")
    scheduled_restart: bool = Field(False, description="restart (exit 0) once per window")
    check_interval_seconds: float = Field(60, ge=5, description="how often the window is checked")

    @field_validator("window_start", "window_end")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        hours, _, minutes = value.partition(":")
        if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2
                and int(hours) < 24 and int(minutes) < 60):
            raise ValueError("a local time HH:MM such as 03:00")
        return f"{int(hours):02d}:{minutes}"


class ConsoleLinkSettings(ConsoleLinkMethods, _Section):
    """Reporting to the central console (kiosk/ops/console_link.py); no URL = not reporting.

    Over https the terminal presents its client certificate (docs/adr/0700): ``cert_file`` and
    ``key_file``, empty = the platform's (the same `kiosk ca enrol` files), and checks the
    console's certificate against ``ca_file`` (the fleet CA from the enrolment bundle; empty =
    the platform's CA file). ``token_file`` is the plain-http development mode's (demo only)."""

    url: str = Field("", description="the console's base URL; empty = no reporting")
    ca_file: str = Field("", description="the fleet CA the console's certificate chains to "
                                         "(enrolment bundle); empty = platform.ca_file")
    cert_file: str = Field("", description="this terminal's certificate; empty = "
                                           "platform.cert_file")
    key_file: str = Field("", description="its private key (0600); empty = platform.key_file")
    token_file: str = Field("", description="development mode only (http console, demo "
                                            "profile): this terminal's token (mode 0600)")
    interval_seconds: float = Field(60, ge=1, le=3600,
                                    description="heartbeat and command collection interval")
    timeout_seconds: float = Field(5.0, gt=0, le=60, description="per-request timeout")



class VideoSettings(_Section):
    """视频帮办: live video help from a staff member at the console (kiosk/adapters/video_link.py,
    docs/adr/0760). It needs `[console] url`; signalling and media go to that console."""

    enabled: bool = Field(False, description="offer the 视频帮办 button")
    queues: tuple[str, ...] = Field(("local",), min_length=1,
                                    description="the console queues this site calls, first one "
                                                "used (e.g. 'district:110105', 'kuasheng')")
    ice_servers: tuple[str, ...] = Field((), description="STUN/TURN URLs; none on a LAN")
    recording_notice: str = Field("", max_length=200,
                                  description="shown before a call when the site records calls "
                                              "(say for how long); empty = nothing is recorded")
    hours: str = Field("工作日 9:00-17:00", max_length=40,
                       description="staff hours, shown when no one can take a call")
    hotline: str = Field("12345", max_length=16, description="the hotline shown instead")

    @field_validator("queues", "ice_servers", mode="before")
    @classmethod
    def _comma_list(cls, value: Any) -> Any:
        """An environment variable gives a list as one text: "a,b"."""
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("queues")
    @classmethod
    def _queue_ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for queue in value:
            if not 1 <= len(queue) <= 64 or not all(
                    ch.isascii() and (ch.isalnum() or ch in "_.:-") for ch in queue):
                raise ValueError(f"a queue id of 1-64 letters, digits and _.:- ; got {queue!r}")
        return value


class PathSettings(_Section):
    """Where the terminal keeps its data (journal, logs, spool, bundles)."""

    data_dir: str = Field("var", description="relative paths are relative to the repository")


class Settings(SettingsMethods, _Section):
    """The whole configuration of one terminal."""

    profile: Literal["demo", "site"] = "demo"
    terminal_id: str = Field("DEMO-0001", min_length=1, max_length=64)
    site_name: str = ""
    session: SessionSettings = SessionSettings()
    platform: PlatformSettings = PlatformSettings()
    display: DisplaySettings = DisplaySettings()
    devices: DeviceSettings = DeviceSettings()
    hardware: HardwareSettings = HardwareSettings()
    identity: IdentitySettings = IdentitySettings()
    logging: LoggingSettings = LoggingSettings()
    updates: UpdateSettings = UpdateSettings()
    housekeeping: HousekeepingSettings = HousekeepingSettings()
    console: ConsoleLinkSettings = ConsoleLinkSettings()
    video: VideoSettings = VideoSettings()
    paths: PathSettings = PathSettings()

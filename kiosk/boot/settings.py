"""Typed configuration, validated once at start.

Layers, later wins: ``config/defaults.toml`` -> the site file -> ``KIOSK__SECTION__KEY``
environment variables. Every error names the file (or variable) and the key, and says what was
expected; the command line turns it into exit code 2. Values are passed on, not the object.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kiosk import REPO_ROOT

DEFAULTS_FILE = REPO_ROOT / "config" / "defaults.toml"
SITE_FILE = REPO_ROOT / "config" / "site.toml"
ENV_PREFIX = "KIOSK__"
SIMULATOR_SCHEME = "sim"


class ConfigError(Exception):
    """A configuration problem, already phrased for a technician (file, key, expectation)."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SessionSettings(_Section):
    """Session timing."""

    idle_timeout_seconds: float = Field(60, gt=5, description="idle time before 'still there?'")
    still_there_countdown_seconds: float = Field(20, gt=3, description="countdown before wiping")
    hard_cap_seconds: float = Field(900, gt=30, description="no session lasts longer than this")


class PlatformSettings(_Section):
    """The government service platform."""

    base_url: str = Field("", description="API base URL; empty = embedded sandbox (demo only)")
    timeout_seconds: float = Field(5.0, gt=0, description="per-request timeout")
    retries: int = Field(2, ge=0, le=10, description="retries for idempotent calls")
    backoff_seconds: float = Field(0.3, ge=0, description="first retry delay, doubled each time")
    demo_port: int = Field(8765, ge=0, le=65535,
                           description="the embedded sandbox's port (demo profile); taken or 0 = "
                                       "any free port")


class DisplaySettings(_Section):
    """The screen."""

    width: int = Field(0, ge=0, description="window width in px; 0 = the display's")
    height: int = Field(0, ge=0, description="window height in px; 0 = the display's")
    hide_cursor: Literal["auto", "yes", "no"] = Field("auto", description="auto: hidden on site")


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
    def _url_has_scheme(cls, value: str) -> str:
        if value != "none" and "://" not in value:
            raise ValueError("a backend URL such as sim://idcard or serial:///dev/ttyUSB0, or none")
        return value


class HardwareSettings(_Section):
    """Device parameters a technician sets on site (besides the connection URLs)."""

    receipt_paper_width_mm: Literal[58, 80] = Field(80, description="thermal paper roll width")
    camera_resolution: str = Field("640x480", pattern=r"^[1-9][0-9]{2,3}x[1-9][0-9]{2,3}$",
                                   description="capture size WxH asked of the camera")
    scanner_baud: Literal[9600, 19200, 38400, 57600, 115200] = Field(
        9600, description="baud rate of a serial (CDC) code scanner")

    @property
    def receipt_width_chars(self) -> int:
        """Half-width characters per receipt line for the paper width."""
        return 32 if self.receipt_paper_width_mm == 58 else 48

    @property
    def camera_size(self) -> tuple[int, int]:
        """(width, height) of ``camera_resolution``."""
        width, height = self.camera_resolution.split("x")
        return int(width), int(height)


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


class PathSettings(_Section):
    """Where the terminal keeps its data (journal, logs, spool, bundles)."""

    data_dir: str = Field("var", description="relative paths are relative to the repository")


class Settings(_Section):
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
    paths: PathSettings = PathSettings()

    @property
    def data_dir(self) -> Path:
        """The data folder as an absolute path."""
        path = Path(self.paths.data_dir)
        return path if path.is_absolute() else REPO_ROOT / path


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc


def _merge(base: dict[str, Any], layer: dict[str, Any], origin: str,
           origins: dict[str, str], prefix: str = "") -> None:
    for key, value in layer.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value, origin, origins, dotted + ".")
        else:
            base[key] = value
            origins[dotted] = origin
            if isinstance(value, dict):
                for sub in value:
                    origins[f"{dotted}.{sub}"] = origin


def _env_layer(environ: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    layer: dict[str, Any] = {}
    names: dict[str, str] = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        parts = [p.lower() for p in name[len(ENV_PREFIX):].split("__") if p]
        if not parts:
            continue
        node = layer
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = raw
        names[".".join(parts)] = name
    return layer, names


def load_settings(site_file: Path | None = None, environ: dict[str, str] | None = None,
                  defaults_file: Path = DEFAULTS_FILE) -> Settings:
    """Load, merge and validate the configuration, or raise ConfigError naming file and key."""
    env = dict(os.environ if environ is None else environ)
    if site_file is None and env.get("KIOSK_SITE_FILE"):
        site_file = Path(env["KIOSK_SITE_FILE"])
    if site_file is None and SITE_FILE.exists():
        site_file = SITE_FILE
    merged: dict[str, Any] = {}
    origins: dict[str, str] = {}
    _merge(merged, _read_toml(defaults_file), str(defaults_file), origins)
    if site_file is not None:
        _merge(merged, _read_toml(site_file), str(site_file), origins)
    env_layer, env_names = _env_layer(env)
    _merge(merged, env_layer, "environment", origins)
    try:
        settings = Settings.model_validate(merged)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, origins, env_names)) from None
    _check_profile(settings, origins)
    return settings


def _describe(exc: ValidationError, origins: dict[str, str], env_names: dict[str, str]) -> str:
    lines = []
    for error in exc.errors():
        key = ".".join(str(p) for p in error["loc"])
        origin = origins.get(key, "configuration")
        if origin == "environment":
            origin = f"environment variable {env_names.get(key, ENV_PREFIX + key.upper())}"
        if error["type"] == "extra_forbidden":
            lines.append(f"{origin}: key {key!r}: unknown key (check the spelling)")
        else:
            got = error.get("input")
            msg = error["msg"].removeprefix("Value error, ")
            lines.append(f"{origin}: key {key!r}: expected {msg}; got {got!r}")
    return "\n".join(lines)


def _check_profile(settings: Settings, origins: dict[str, str]) -> None:
    if settings.profile != "site":
        return
    problems = []
    for name, url in settings.devices.model_dump().items():
        if url.startswith(f"{SIMULATOR_SCHEME}://"):
            origin = origins.get(f"devices.{name}", "configuration")
            problems.append(f"{origin}: key 'devices.{name}': simulators are refused in the site "
                            f"profile; expected a real device URL, got {url!r}")
    if not settings.platform.base_url:
        origin = origins.get("platform.base_url", "configuration")
        problems.append(f"{origin}: key 'platform.base_url': the site profile needs the service "
                        "platform's URL (the embedded sandbox is for the demo profile only)")
    if problems:
        raise ConfigError("\n".join(problems))

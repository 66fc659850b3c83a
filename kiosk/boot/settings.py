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

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from kiosk import REPO_ROOT

DEFAULTS_FILE = REPO_ROOT / "config" / "defaults.toml"
SITE_FILE = REPO_ROOT / "config" / "site.toml"
ENV_PREFIX = "KIOSK__"
SIMULATOR_SCHEME = "sim"


class ConfigError(Exception):
    """A configuration problem, already phrased for a technician (file, key, expectation)."""


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


class PlatformSettings(_Section):
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

    def resolved(self, key: str) -> str:
        """A file key as an absolute path ('' when unset); relative = to the repository."""
        value = str(getattr(self, key))
        if not value:
            return ""
        path = Path(value)
        return str(path if path.is_absolute() else REPO_ROOT / path)
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


#: The URL schemes each device's driver understands (drivers/*/__init__.py); a typo such as
#: ``seriall://`` is refused here, with the file and key, not at the first open.
DEVICE_SCHEMES: dict[str, tuple[str, ...]] = {
    "idcard": ("serial", "sim", "socket", "rfc2217", "loop", "spy", "hwgrep"),
    "smartcard": ("pcsc", "sim"),
    "camera": ("opencv", "opencv+file", "opencv+rtsp", "opencv+http", "opencv+https", "sim"),
    "scanner": ("serial", "evdev", "sim"),
    "receipt_printer": ("escpos+serial", "escpos+tcp", "escpos+usb", "escpos+file", "sim"),
    "document_printer": ("ipp", "ipps", "sim"),
}


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


class ConsoleLinkSettings(_Section):
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

    def resolved(self, key: str) -> Path | None:
        """A file key as an absolute path (None when unset); relative = to the repository."""
        value = str(getattr(self, key))
        if not value:
            return None
        path = Path(value)
        return path if path.is_absolute() else REPO_ROOT / path

    def resolved_token_file(self) -> Path | None:
        """The token file as an absolute path (None when unset); relative = to the repository."""
        return self.resolved("token_file")


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
    console: ConsoleLinkSettings = ConsoleLinkSettings()
    video: VideoSettings = VideoSettings()
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
    except IsADirectoryError as exc:
        raise ConfigError(f"{path}: is a folder; expected a TOML file") from exc
    except PermissionError as exc:
        raise ConfigError(f"{path}: cannot be read (permission denied)") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or type(exc).__name__})") \
            from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8") \
            from exc
    except RecursionError as exc:
        raise ConfigError(f"{path}: values nested too deeply; a site file has sections of "
                          "plain keys only") from exc
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
    """``KIOSK__SECTION__KEY`` (or ``KIOSK__KEY`` for a top-level key) as a nested layer.

    Variables that cannot name one setting are refused with their name: an empty part
    (``KIOSK__``, ``KIOSK__A____B``), a path below a single value (``KIOSK__PROFILE__X``) or
    deeper than a section's key, and a section set both whole and key by key."""
    layer: dict[str, Any] = {}
    names: dict[str, str] = {}
    problems: list[str] = []
    sections = {name for name, field in Settings.model_fields.items()
                if isinstance(field.annotation, type) and issubclass(field.annotation, _Section)}
    for name in sorted(environ):
        if not name.startswith(ENV_PREFIX):
            continue
        parts = [p.lower() for p in name[len(ENV_PREFIX):].split("__")]
        if not all(parts):
            problems.append(f"environment variable {name}: an empty part; expected "
                            f"{ENV_PREFIX}SECTION__KEY or {ENV_PREFIX}KEY")
            continue
        if parts[0] not in Settings.model_fields:
            problems.append(f"environment variable {name}: key '{'.'.join(parts)}': unknown "
                            "key (check the spelling)")
            continue
        depth = 2 if parts[0] in sections else 1
        if len(parts) > depth:
            problems.append(f"environment variable {name}: key '{'.'.join(parts)}': "
                            f"'{'.'.join(parts[:depth])}' is a single value, nothing lies "
                            "below it")
            continue
        if len(parts) == 1 and parts[0] in sections:
            problems.append(f"environment variable {name}: key '{parts[0]}' is a section; set "
                            f"its keys one by one ({name}__KEY)")
            continue
        node = layer
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = environ[name]
        names[".".join(parts)] = name
    if problems:
        raise ConfigError("\n".join(problems))
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
    problems.extend(_platform_trust_problems(settings, origins))
    problems.extend(_console_problems(settings, origins))
    if problems:
        raise ConfigError("\n".join(problems))


def _platform_trust_problems(settings: Settings, origins: dict[str, str]) -> list[str]:
    """Site profile: https only, and the terminal's certificate, key and CA files exist."""
    platform = settings.platform
    problems = []
    url = platform.base_url
    if url and not url.lower().startswith("https://"):
        origin = origins.get("platform.base_url", "configuration")
        problems.append(f"{origin}: key 'platform.base_url': the site profile talks to the "
                        f"platform over https (mutual TLS) only; got {url!r}")
    for key, what in (("ca_file", "the CA file that signs the platform's certificate"),
                      ("cert_file", "this terminal's certificate (kiosk ca enrol)"),
                      ("key_file", "this terminal's private key (kiosk ca enrol)")):
        origin = origins.get(f"platform.{key}", "configuration")
        path = platform.resolved(key)
        if not path:
            problems.append(f"{origin}: key 'platform.{key}': the site profile needs {what}")
        elif not Path(path).is_file():
            problems.append(f"{origin}: key 'platform.{key}': file not found: {path}")
        elif key == "key_file" and Path(path).stat().st_mode & 0o077:
            problems.append(f"{origin}: key 'platform.key_file': {path} is readable by others; "
                            "expected mode 0600 (chmod 600)")
        elif key == "cert_file":
            problems.extend(_certificate_problems(Path(path), settings.terminal_id,
                                                  origins.get("terminal_id", "configuration")))
    return problems


def _console_problems(settings: Settings, origins: dict[str, str]) -> list[str]:
    """Site profile: the console over https with this terminal's certificate (mutual TLS,
    docs/adr/0700): the fleet CA file must exist; tokens are the development mode's only."""
    console = settings.console
    if not console.url:
        return []
    problems = []
    if not console.url.lower().startswith("https://"):
        origin = origins.get("console.url", "configuration")
        problems.append(f"{origin}: key 'console.url': the site profile reports to the console "
                        f"over https (mutual TLS) only; got {console.url!r}")
    if console.token_file:
        origin = origins.get("console.token_file", "configuration")
        problems.append(f"{origin}: key 'console.token_file': the site profile reports with "
                        "this terminal's certificate, not a token; remove the key")
    for key in ("ca_file", "cert_file", "key_file"):
        own = console.resolved(key)
        if own is None:
            continue  # the platform's file, checked with [platform]
        origin = origins.get(f"console.{key}", "configuration")
        if not own.is_file():
            problems.append(f"{origin}: key 'console.{key}': file not found: {own}")
        elif key == "key_file" and own.stat().st_mode & 0o077:
            problems.append(f"{origin}: key 'console.key_file': {own} is readable by others; "
                            "expected mode 0600 (chmod 600)")
        elif key == "cert_file":
            problems.extend(_certificate_problems(own, settings.terminal_id,
                                                  origins.get("terminal_id", "configuration")))
    return problems


def _certificate_problems(path: Path, terminal_id: str, origin: str) -> list[str]:
    """The terminal certificate must be readable PEM and issued to this terminal id."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    try:
        cert = x509.load_pem_x509_certificate(path.read_bytes())
    except (OSError, ValueError):
        return [f"{path}: key 'platform.cert_file': not a PEM certificate"]
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    issued_to = str(names[0].value) if names else ""
    if issued_to != terminal_id:
        return [f"{origin}: key 'terminal_id': {terminal_id!r} but the certificate {path} was "
                f"issued to {issued_to!r} (enrol this terminal: kiosk ca enrol {terminal_id})"]
    return []

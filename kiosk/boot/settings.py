"""Typed configuration, validated once at start.

Layers, later wins: ``config/defaults.toml`` -> the site file -> ``KIOSK__SECTION__KEY``
environment variables. Every error names the file (or variable) and the key, and says what was
expected; the command line turns it into exit code 2. Values are passed on, not the object.

This module reads and merges the layers without pydantic; the schema (pydantic models) is
kiosk/boot/settings_schema.py, loaded when a configuration is validated or a model class is
named (``from kiosk.boot.settings import Settings`` works as before). `kiosk run` validates a
configuration once and reads it plainly afterwards (kiosk/boot/settings_plain.py, ADR 0816).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk import REPO_ROOT

if TYPE_CHECKING:  # loaded on first use (module __getattr__ below): pydantic comes with them
    from kiosk.boot.settings_schema import (
        ConsoleLinkSettings,
        DeviceSettings,
        DisplaySettings,
        HardwareSettings,
        HousekeepingSettings,
        IdentitySettings,
        LoggingSettings,
        PathSettings,
        PlatformSettings,
        SessionSettings,
        Settings,
        UpdateSettings,
        VideoSettings,
    )

DEFAULTS_FILE = REPO_ROOT / "config" / "defaults.toml"
SITE_FILE = REPO_ROOT / "config" / "site.toml"
ENV_PREFIX = "KIOSK__"
SIMULATOR_SCHEME = "sim"
#: The sections of `Settings` and its top-level keys (tests/boot checks them against the schema).
SECTIONS = ("session", "platform", "display", "devices", "hardware", "identity", "logging",
            "updates", "housekeeping", "console", "video", "paths")
TOP_LEVEL_KEYS = ("profile", "terminal_id", "site_name")
#: The schema's model classes, loaded from kiosk/boot/settings_schema.py on first use.
SCHEMA_NAMES = ("SessionSettings", "PlatformSettings", "DisplaySettings", "DeviceSettings",
                "HardwareSettings", "IdentitySettings", "LoggingSettings", "UpdateSettings",
                "HousekeepingSettings", "ConsoleLinkSettings", "VideoSettings", "PathSettings",
                "Settings")
__all__ = [
    "DEFAULTS_FILE",
    "DEVICE_SCHEMES",
    "ENV_PREFIX",
    "SITE_FILE",
    "ConfigError",
    "ConsoleLinkSettings",
    "DeviceSettings",
    "DisplaySettings",
    "HardwareSettings",
    "HousekeepingSettings",
    "IdentitySettings",
    "Layers",
    "LoggingSettings",
    "PathSettings",
    "PlatformSettings",
    "SessionSettings",
    "Settings",
    "UpdateSettings",
    "VideoSettings",
    "check_profile",
    "load_settings",
    "read_layers",
    "validate",
]


def __getattr__(name: str) -> Any:
    """The schema's classes (pydantic) on first use."""
    if name in SCHEMA_NAMES:
        from kiosk.boot import settings_schema

        value = getattr(settings_schema, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'kiosk.boot.settings' has no attribute {name!r}")


class ConfigError(Exception):
    """A configuration problem, already phrased for a technician (file, key, expectation)."""


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



def _repo_path(value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else REPO_ROOT / path


class PlatformMethods:
    """`PlatformSettings` helpers (shared with the plain reading)."""

    def resolved(self, key: str) -> str:
        """A file key as an absolute path ('' when unset); relative = to the repository."""
        value = str(getattr(self, key))
        return str(_repo_path(value)) if value else ""


class HardwareMethods:
    """`HardwareSettings` helpers (shared with the plain reading)."""

    @property
    def receipt_width_chars(self) -> int:
        """Half-width characters per receipt line for the paper width."""
        return 32 if getattr(self, "receipt_paper_width_mm") == 58 else 48  # noqa: B009

    @property
    def camera_size(self) -> tuple[int, int]:
        """(width, height) of ``camera_resolution``."""
        width, height = str(getattr(self, "camera_resolution")).split("x")  # noqa: B009
        return int(width), int(height)


class ConsoleLinkMethods:
    """`ConsoleLinkSettings` helpers (shared with the plain reading)."""

    def resolved(self, key: str) -> Path | None:
        """A file key as an absolute path (None when unset); relative = to the repository."""
        value = str(getattr(self, key))
        return _repo_path(value) if value else None

    def resolved_token_file(self) -> Path | None:
        """The token file as an absolute path (None when unset); relative = to the repository."""
        return self.resolved("token_file")


class SettingsMethods:
    """`Settings` helpers (shared with the plain reading)."""

    @property
    def data_dir(self) -> Path:
        """The data folder as an absolute path."""
        return _repo_path(str(getattr(self, "paths").data_dir))  # noqa: B009


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
    sections = set(SECTIONS)
    for name in sorted(environ):
        if not name.startswith(ENV_PREFIX):
            continue
        parts = [p.lower() for p in name[len(ENV_PREFIX):].split("__")]
        if not all(parts):
            problems.append(f"environment variable {name}: an empty part; expected "
                            f"{ENV_PREFIX}SECTION__KEY or {ENV_PREFIX}KEY")
            continue
        if parts[0] not in SECTIONS and parts[0] not in TOP_LEVEL_KEYS:
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
    return validate(read_layers(site_file, environ, defaults_file))


@dataclass(frozen=True)
class Layers:
    """The configuration as read and merged (defaults, site file, environment), not yet
    validated: ``merged`` values, the file or ``environment`` each dotted key came from, and
    the variable that set each key set by the environment."""

    merged: dict[str, Any]
    origins: dict[str, str]
    env_names: dict[str, str]


def read_layers(site_file: Path | None = None, environ: dict[str, str] | None = None,
                defaults_file: Path = DEFAULTS_FILE) -> Layers:
    """Read and merge the layers (no pydantic); a file or variable that cannot be read raises
    ConfigError naming it."""
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
    return Layers(merged, origins, env_names)


def validate(layers: Layers) -> Settings:
    """Validate merged layers against the schema (pydantic), then the site profile's rules."""
    from pydantic import ValidationError

    from kiosk.boot.settings_schema import Settings

    try:
        settings = Settings.model_validate(layers.merged)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, layers.origins, layers.env_names)) from None
    check_profile(settings, layers.origins)
    return settings


def _describe(exc: Any, origins: dict[str, str], env_names: dict[str, str]) -> str:
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


def check_profile(settings: Any, origins: dict[str, str]) -> None:
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


def _platform_trust_problems(settings: Any, origins: dict[str, str]) -> list[str]:
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


def _console_problems(settings: Any, origins: dict[str, str]) -> list[str]:
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

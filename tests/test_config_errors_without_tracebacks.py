"""Configuration that used to end in a traceback: a site file that is not UTF-8, a folder given
as the site file, TOML nested thousands deep, odd `KIOSK__` variables, and `inf`/`nan` accepted
as timeouts. Each is now a ConfigError naming the file (or variable) and the key, and the
command line prints it with exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import REPO_ROOT
from kiosk.boot.settings import ConfigError, load_settings


def _error(site: Path | None = None, environ: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(site_file=site, environ=environ or {})
    return str(caught.value)


def test_a_site_file_that_is_not_utf8(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_bytes('site_name = "徐汇"\n'.encode("gb18030"))
    message = _error(site)
    assert str(site) in message and "UTF-8" in message


def test_a_folder_as_the_site_file(tmp_path: Path) -> None:
    message = _error(tmp_path)
    assert str(tmp_path) in message and "folder" in message


@pytest.mark.parametrize("value", ["[" * 5000 + "]" * 5000, "{a=" * 3000 + "1" + "}" * 3000])
def test_toml_nested_thousands_deep(tmp_path: Path, value: str) -> None:
    site = tmp_path / "site.toml"
    site.write_text(f"x = {value}\n")
    message = _error(site)
    assert str(site) in message and "nested too deeply" in message


@pytest.mark.parametrize(("key", "value"), [
    ("session.idle_timeout_seconds", "inf"), ("session.hard_cap_seconds", "inf"),
    ("platform.timeout_seconds", "inf"), ("platform.timeout_seconds", "nan"),
    ("platform.backoff_seconds", "nan"), ("identity.face_capture_seconds", "nan"),
    ("updates.poll_interval_seconds", "inf"), ("housekeeping.log_retention_days", "inf"),
])
def test_inf_and_nan_are_not_numbers_of_seconds(tmp_path: Path, key: str, value: str) -> None:
    section, name = key.split(".")
    site = tmp_path / "site.toml"
    site.write_text(f"[{section}]\n{name} = {value}\n")
    message = _error(site)
    assert str(site) in message and key in message and "finite" in message
    variable = f"KIOSK__{section.upper()}__{name.upper()}"
    message = _error(environ={variable: value})
    assert variable in message and "finite" in message


@pytest.mark.parametrize(("environ", "named"), [
    ({"KIOSK__SESSION": "5", "KIOSK__SESSION__IDLE_TIMEOUT_SECONDS": "90"}, "KIOSK__SESSION"),
    ({"KIOSK__SESSION": "5"}, "KIOSK__SESSION"),
    ({"KIOSK__PROFILE__X": "1"}, "KIOSK__PROFILE__X"),
    ({"KIOSK__SESSION__IDLE_TIMEOUT_SECONDS__X": "1"}, "KIOSK__SESSION__IDLE_TIMEOUT_SECONDS__X"),
    ({"KIOSK__": "1"}, "KIOSK__"),
    ({"KIOSK__SESSION____IDLE": "1"}, "KIOSK__SESSION____IDLE"),
    ({"KIOSK__NOSUCH__KEY": "1"}, "KIOSK__NOSUCH__KEY"),
])
def test_odd_environment_variables_are_named(environ: dict[str, str], named: str) -> None:
    message = _error(environ=environ)
    assert f"environment variable {named}:" in message


@pytest.mark.parametrize("case", ["not-utf8", "folder", "deep", "env"])
def test_the_command_line_prints_the_message_and_no_traceback(tmp_path: Path,
                                                              case: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK")}
    site = tmp_path / "site.toml"
    site.write_text("profile = 'demo'\n")
    if case == "not-utf8":
        site.write_bytes(b"site_name = '\xff\xfe'\n")
    elif case == "folder":
        site = tmp_path
    elif case == "deep":
        site.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    else:
        env["KIOSK__SESSION"] = "5"
        env["KIOSK__SESSION__IDLE_TIMEOUT_SECONDS"] = "90"
    for command in (["config", "check"], ["doctor"]):
        done = subprocess.run([sys.executable, "-m", "kiosk", *command, "--site", str(site)],
                              cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 2, (command, done.stderr)
        assert "configuration error" in done.stderr
        assert "Traceback" not in done.stdout + done.stderr

"""`kiosk console create-admin` makes the first admin (no default password exists; weak ones
are refused), and `kiosk console` serves on SQLite with no database URL given."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import REPO_ROOT
from tests.console.helpers import Browser


def _kiosk(*args: str, stdin: str = "", env_db: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    if env_db:
        env["KIOSK_CONSOLE_DB"] = env_db
    return subprocess.run([sys.executable, "-m", "kiosk", "console", *args], input=stdin,
                          capture_output=True, text=True, timeout=120, env=env)


@pytest.mark.slow
def test_create_admin_then_log_in(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/console.db"
    weak = _kiosk("create-admin", "chief", "--password-stdin", stdin="12345678\n", env_db=db)
    assert weak.returncode == 2 and "密码至少需要" in weak.stderr
    made = _kiosk("--db", db, "create-admin", "chief", "--password-stdin",
                  stdin="Str0ng-enough-pw\n")
    assert made.returncode == 0, made.stderr
    again = _kiosk("--db", db, "create-admin", "chief", "--password-stdin",
                   stdin="Str0ng-enough-pw\n")
    assert again.returncode == 1 and "已存在" in again.stderr

    pki = tmp_path / "pki"  # the developer's throwaway PKI, made at first start
    server = subprocess.Popen([sys.executable, "-m", "kiosk", "console", "--db", db,
                               "--port", "0", "--pki-dir", str(pki)], stdout=subprocess.PIPE,
                              text=True, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert "console listening on https://127.0.0.1:" in line
        url = line.split()[3]
        import requests

        session = requests.Session()
        session.verify = str(pki / "ca" / "ca.pem")
        session.trust_env = False  # REQUESTS_CA_BUNDLE would replace `verify`
        browser = Browser(url, session)
        assert browser.login("chief", "Str0ng-enough-pw").url.endswith("/fleet")
        assert "管理员" in browser.get("/fleet").text
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0


@pytest.mark.parametrize("args, says", [
    (["--site", "--insecure-http"], "--insecure-http: refused with --site"),
    (["--site"], "--site needs --tls-cert"),
    (["--tls-cert", "/nonexistent.pem"], "go together"),
])
def test_site_console_refuses_http_and_throwaway_pki(args: list[str], says: str) -> None:
    answer = _kiosk("--port", "0", *args)
    assert answer.returncode == 2, answer.stderr
    assert says in answer.stderr and "Traceback" not in answer.stderr


def test_unreachable_database_is_a_plain_message() -> None:
    answer = _kiosk("--db", "postgresql+psycopg://nobody@127.0.0.1:9/none", "create-admin",
                    "chief", "--password-stdin", stdin="Str0ng-enough-pw\n")
    assert answer.returncode == 1
    assert "cannot open the database" in answer.stderr and "Traceback" not in answer.stderr


@pytest.mark.parametrize("args", [["--help"], ["create-admin", "--help"]])
def test_help(args: list[str]) -> None:
    answer = _kiosk(*args)
    assert answer.returncode == 0 and "create-admin" in answer.stdout


@pytest.mark.slow  # a Python process importing the console
def test_bad_video_hours_named_on_the_command_line(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/console.db"
    bad = _kiosk("--db", db, "--video-hours", "fri-mon 9:00-17:00")
    assert bad.returncode == 2
    assert "--video-hours" in bad.stderr and "fri-mon 9:00-17:00" in bad.stderr
    assert "Traceback" not in bad.stderr

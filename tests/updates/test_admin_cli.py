"""`kiosk admin` and `kiosk updates` driven as a technician would, against a loopback server."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kiosk.boot.cli import main as kiosk
from kiosk.updates.httpserve import RepoServer
from tests.updates.conftest import write_flows


@pytest.fixture
def admin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """An initialised repository (paths as strings for the command line)."""
    monkeypatch.setenv("KIOSK_ADMIN_KEY_PASSPHRASE", "admin test passphrase")
    paths = {"repo": str(tmp_path / "pub"), "keys": str(tmp_path / "keys"),
             "root": str(tmp_path / "trusted_root.json"), "data": str(tmp_path / "terminal"),
             "tmp": str(tmp_path)}
    assert kiosk(["admin", "init", "--repo", paths["repo"], "--keys", paths["keys"],
                  "--trusted-root-out", paths["root"]]) == 0
    return paths


def _build(paths: dict[str, str], version: int, broken: bool = False) -> str:
    flows = write_flows(Path(paths["tmp"]) / f"src{version}", version, broken)
    out = str(Path(paths["tmp"]) / f"flows-{version}.tar.gz")
    code = kiosk(["admin", "build", str(flows), "--version", str(version), "--out", out,
                  *(["--no-check"] if broken else [])])
    assert code == 0
    return out


def _admin(paths: dict[str, str], *args: str) -> int:
    return kiosk(["admin", args[0], "--repo", paths["repo"], "--keys", paths["keys"], *args[1:]])


def _terminal(paths: dict[str, str], url: str, command: str) -> int:
    return kiosk(["updates", command, "--repo-url", url, "--data-dir", paths["data"],
                  "--trusted-root", paths["root"], "--terminal-id", "T-1", "--json"])


@pytest.mark.slow
def test_admin_and_technician_round_trip(admin: dict[str, str], capsys) -> None:
    assert _admin(admin, "publish", _build(admin, 1), "--to", "all") == 0
    with RepoServer(Path(admin["repo"])) as server:
        assert _terminal(admin, server.url, "refresh") == 0
        assert _terminal(admin, server.url, "download") == 0
        capsys.readouterr()
        assert _terminal(admin, server.url, "status") == 0
        status = json.loads(capsys.readouterr().out)
        assert status["staged"] == 1 and status["active"] is None
        assert _terminal(admin, server.url, "activate") == 0
        capsys.readouterr()
        _terminal(admin, server.url, "status")
        assert json.loads(capsys.readouterr().out)["active"] == 1

        # Key rotation of every role: the terminal walks the new roots and keeps updating.
        for role in ("root", "targets", "snapshot", "timestamp"):
            assert _admin(admin, "rotate-key", role) == 0
        assert _admin(admin, "publish", _build(admin, 2), "--to", "all") == 0
        assert _terminal(admin, server.url, "download") == 0
        assert _terminal(admin, server.url, "activate") == 0
        capsys.readouterr()
        _terminal(admin, server.url, "status")
        assert json.loads(capsys.readouterr().out)["active"] == 2

        # Rollback publishes v1's content as v3; the terminal moves forward to it.
        assert _admin(admin, "rollback", "--to-version", "1") == 0
        assert _admin(admin, "refresh-timestamp") == 0
        assert _terminal(admin, server.url, "download") == 0
        assert _terminal(admin, server.url, "activate") == 0
        slot = Path(admin["data"]) / "updates" / "slots" / "v3"
        flow = (slot / "social-insurance-payments" / "flow.yaml").read_text()
        assert 'version: "1.0.0"' in flow
        capsys.readouterr()
        assert _admin(admin, "status") == 0
        status = json.loads(capsys.readouterr().out)
        assert status["bundles"] == [1, 2, 3]
        assert status["channels"] == {"channels/all/current.json": 3}
        assert status["thresholds"]["root"] == "2 of 3"


def test_admin_refusals_have_clear_messages(admin: dict[str, str], tmp_path: Path,
                                            capsys) -> None:
    archive = _build(admin, 1)
    assert _admin(admin, "publish", archive, "--to", "all") == 0
    capsys.readouterr()
    assert _admin(admin, "publish", archive, "--to", "all") == 1
    assert "not newer than the latest published version 1" in capsys.readouterr().err
    assert _admin(admin, "publish", archive, "--to", "everyone") == 1
    assert "bad audience" in capsys.readouterr().err
    assert _admin(admin, "rollback", "--to-version", "9") == 1
    assert "never published" in capsys.readouterr().err
    assert _admin(admin, "init") == 1
    assert "refusing to overwrite" in capsys.readouterr().err
    assert kiosk(["admin", "init", "--repo", str(tmp_path / "p2"),
                  "--keys", str(tmp_path / "p2" / "keys")]) == 1
    assert "must never be published" in capsys.readouterr().err
    assert not list(Path(admin["repo"]).rglob("*.pem"))

    # A folder that fails the bundle check is not built.
    assert kiosk(["admin", "build", str(write_flows(tmp_path / "bad", 2, broken=True)),
                  "--version", "2", "--out", str(tmp_path / "bad.tar.gz")]) == 1
    assert "no 'steps'" in capsys.readouterr().err
    assert not (tmp_path / "bad.tar.gz").exists()

    # Links are refused at build time.
    flows = write_flows(tmp_path / "linked", 2)
    os.symlink("/etc/passwd", flows / "social-insurance-payments" / "passwd.yaml")
    assert kiosk(["admin", "build", str(flows), "--version", "2",
                  "--out", str(tmp_path / "l.tar.gz")]) == 1
    assert "only regular files" in capsys.readouterr().err


def test_terminal_cli_usage_errors(tmp_path: Path, capsys) -> None:
    assert kiosk(["updates", "refresh", "--data-dir", str(tmp_path),
                  "--terminal-id", "T-1"]) == 2
    assert "[updates] repo_url is empty" in capsys.readouterr().err
    assert kiosk(["updates", "refresh", "--data-dir", str(tmp_path), "--terminal-id", "T-1",
                  "--repo-url", "http://127.0.0.1:9/", "--trusted-root",
                  str(tmp_path / "none.json")]) == 2
    assert "no trusted root at" in capsys.readouterr().err


def test_unreachable_repository_is_a_value_not_a_traceback(admin: dict[str, str],
                                                          capsys) -> None:
    with RepoServer(Path(admin["repo"])) as server:
        url = server.url
    assert _terminal(admin, url, "refresh") == 1  # the server is gone now
    out = json.loads(capsys.readouterr().out)
    assert out["check"]["kind"] == "unreachable"


def test_expiry_option(admin: dict[str, str], capsys) -> None:
    assert _admin(admin, "refresh-timestamp", "--expiry", "timestamp=3") == 0
    capsys.readouterr()
    _admin(admin, "status")
    status = json.loads(capsys.readouterr().out)
    from datetime import datetime, timedelta
    expires = datetime.fromisoformat(status["expires"]["timestamp"])
    assert expires - datetime.now(expires.tzinfo) > timedelta(days=2)
    assert _admin(admin, "refresh-timestamp", "--expiry", "timestamp=-1") == 1
    assert "bad --expiry" in capsys.readouterr().err

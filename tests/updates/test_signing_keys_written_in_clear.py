"""Signing keys were written unencrypted to one folder, and the timestamp expired after one day
while the docs said to refresh it "daily". Now `kiosk admin` never writes or uses a key without
a passphrase, and the timestamp outlives several documented refreshes."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kiosk.boot.cli import main as kiosk
from kiosk.updates.admin import read_passphrase
from kiosk.updates.repository import DEFAULT_EXPIRY, TIMESTAMP_REFRESH, AdminError

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _init(tmp_path: Path, *extra: str) -> int:
    return kiosk(["admin", "init", "--repo", str(tmp_path / "pub"), "--keys",
                  str(tmp_path / "keys"), *extra])


def test_keys_are_encrypted_and_refused_without_passphrase(tmp_path: Path, capsys,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    monkeypatch.delenv("KIOSK_ADMIN_KEY_PASSPHRASE", raising=False)
    # No passphrase, no terminal to ask on (pytest's stdin): nothing is written.
    assert _init(tmp_path) == 1
    assert "need a passphrase" in capsys.readouterr().err
    assert not (tmp_path / "keys").exists() or not list((tmp_path / "keys").glob("*.pem"))

    secret = tmp_path / "passphrase"
    secret.write_text("eleven words of passphrase\n", encoding="utf-8")
    secret.chmod(0o644)
    assert _init(tmp_path, "--passphrase-file", str(secret)) == 1
    assert "chmod 600" in capsys.readouterr().err
    secret.chmod(0o600)
    assert _init(tmp_path, "--passphrase-file", str(secret)) == 0

    pems = list((tmp_path / "keys").glob("*.pem"))
    assert len(pems) == 6  # root 3, targets, snapshot, timestamp
    for pem in pems:
        assert pem.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
        assert pem.stat().st_mode & 0o077 == 0

    refresh = ["admin", "refresh-timestamp", "--repo", str(tmp_path / "pub"),
               "--keys", str(tmp_path / "keys")]
    assert kiosk(refresh) == 1  # cron without the file: a plain refusal
    assert "need a passphrase" in capsys.readouterr().err
    monkeypatch.setenv("KIOSK_ADMIN_KEY_PASSPHRASE", "not the passphrase")
    assert kiosk(refresh) == 1
    assert "wrong passphrase" in capsys.readouterr().err
    monkeypatch.delenv("KIOSK_ADMIN_KEY_PASSPHRASE")
    assert kiosk([*refresh, "--passphrase-file", str(secret)]) == 0
    capsys.readouterr()


def test_prompt_is_asked_twice_for_new_keys() -> None:
    with pytest.raises(AdminError, match="shorter than 8"):
        read_passphrase(None, confirm=True, environ={"KIOSK_ADMIN_KEY_PASSPHRASE": "short"})
    assert read_passphrase(None, environ={"KIOSK_ADMIN_KEY_PASSPHRASE": "x"}) == b"x"


def test_timestamp_outlives_the_documented_refresh(tmp_path: Path, capsys,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIOSK_ADMIN_KEY_PASSPHRASE", "admin test passphrase")
    # at least four refreshes may fail before terminals see an expired timestamp
    assert DEFAULT_EXPIRY["timestamp"] >= 4 * TIMESTAMP_REFRESH
    hours = int(TIMESTAMP_REFRESH / timedelta(hours=1))
    guide = (DOCS / "updates.md").read_text(encoding="utf-8")
    assert re.search(rf"0 \*/{hours} \* \* \* .*kiosk admin refresh-timestamp", guide)
    assert "daily" not in guide.split("## Terminal")[0]
    assert _init(tmp_path) == 0
    capsys.readouterr()
    assert kiosk(["admin", "status", "--repo", str(tmp_path / "pub"),
                  "--keys", str(tmp_path / "keys")]) == 0
    status = json.loads(capsys.readouterr().out)
    expires = datetime.fromisoformat(status["expires"]["timestamp"])
    assert expires - datetime.now(expires.tzinfo) > 4 * TIMESTAMP_REFRESH

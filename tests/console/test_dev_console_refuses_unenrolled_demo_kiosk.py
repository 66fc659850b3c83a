"""`kiosk console` with no TLS options serves HTTPS at once with the developer's throwaway PKI,
the same CA a demo kiosk's own certificate comes from (docs/adr/0700): a demo kiosk with only
`[console] url` set reaches it over mutual TLS; refused with a clear reason until an admin
enrols it, let in afterwards. A kiosk that trusts another CA does not talk to it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk import REPO_ROOT
from kiosk.boot.settings import load_settings
from kiosk.console.db import open_database, utcnow
from kiosk.console.models import Terminal
from kiosk.ops.console_link import link_credentials
from kiosk.platform.console_client import ConsoleClient, ConsoleError
from kiosk.trust.ca import CertificateAuthority

BEAT = {"app_version": "0.1.0", "devices": {}}


@pytest.fixture
def dev_console(tmp_path: Path) -> Iterator[tuple[str, str]]:
    db = f"sqlite:///{tmp_path}/console.db"
    server = subprocess.Popen([sys.executable, "-m", "kiosk", "console", "--db", db,
                               "--port", "0", "--pki-dir", str(tmp_path / "data" / "pki")],
                              stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert "console listening on https://127.0.0.1:" in line, line
        yield line.split()[3], db
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0


@pytest.mark.slow
def test_demo_kiosk_reaches_the_dev_console(dev_console: tuple[str, str],
                                            tmp_path: Path) -> None:
    url, db = dev_console
    settings = load_settings(environ={"KIOSK__PATHS__DATA_DIR": str(tmp_path / "data"),
                                      "KIOSK__TERMINAL_ID": "DEMO-0001",
                                      "KIOSK__CONSOLE__URL": url})
    creds = link_credentials(settings)  # the demo PKI in the data folder, nothing configured
    assert creds is not None and creds.cert is not None and not creds.token
    client = ConsoleClient(url, "DEMO-0001", cert=creds.cert, ca_file=creds.ca_file)
    with pytest.raises(ConsoleError) as refused:
        client.heartbeat(BEAT)
    assert refused.value.status == 403 and "DEMO-0001 is not enrolled" in str(refused.value)

    engine, sessions = open_database(db)
    with sessions() as session:  # what 终端登记 does
        session.add(Terminal(id="DEMO-0001", district="演示区", site="演示网点", group_name="",
                             token_hash=None, revoked=False, enrolled_at=utcnow(), devices={},
                             last_update={}, app_version="", bundle_version="",
                             outbox_depth=0, sessions=0, ratings=0, out_of_service=False,
                             out_of_service_message=""))
        session.commit()
    engine.dispose()
    assert client.heartbeat(BEAT) == []

    other = CertificateAuthority.create(tmp_path / "other-ca")
    stranger = ConsoleClient(url, "DEMO-0001", cert=creds.cert, ca_file=str(other.ca_file))
    with pytest.raises(ConsoleError) as untrusted:
        stranger.heartbeat(BEAT)
    assert untrusted.value.kind == "refused" and "TLS handshake failed" in str(untrusted.value)

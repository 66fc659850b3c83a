"""`kiosk ca revoke TERMINAL-ID` takes effect at the platform at once, even on a connection the
terminal keeps open; other terminals carry on."""

from __future__ import annotations

import pytest

from kiosk.platform import ErrorKind, PlatformError
from kiosk.sandbox import SandboxHandle
from kiosk.trust import cli as ca_cli
from tests.platform.conftest import TestPki, login


def test_revocation_is_one_command_and_immediate(
    sandbox: SandboxHandle, pki: TestPki, capsys: pytest.CaptureFixture[str]
) -> None:
    with pki.client(sandbox.url, "T-STOLEN-09", retries=0) as stolen, pki.client(
        sandbox.url, "T-HONEST-10", retries=0
    ) as honest:
        token = login(stolen, "worker")
        assert stolen.profile(token).name  # the connection is now open and kept alive
        assert ca_cli.main(["--ca", str(pki.ca.folder), "revoke", "T-STOLEN-09"]) == 0
        assert "T-STOLEN-09" in capsys.readouterr().out
        with pytest.raises(PlatformError) as caught:
            stolen.profile(token)
        assert caught.value.kind is ErrorKind.REJECTED and caught.value.status == 401
        assert caught.value.code == "certificate_revoked"
        with pytest.raises(PlatformError):
            login(stolen, "worker")
        assert honest.profile(login(honest, "worker")).name
    assert ca_cli.main(["--ca", str(pki.ca.folder), "list"]) == 0
    listing = capsys.readouterr().out
    assert any("T-STOLEN-09" in row and row.endswith("revoked") for row in listing.splitlines())


def test_revoking_an_unknown_terminal_says_so(pki: TestPki,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert ca_cli.main(["--ca", str(pki.ca.folder), "revoke", "NEVER-ENROLLED"]) == 1
    err = capsys.readouterr().err
    assert "NEVER-ENROLLED" in err and "no certificate" in err and "Traceback" not in err

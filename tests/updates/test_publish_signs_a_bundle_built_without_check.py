"""`kiosk admin publish` signed a bundle built with `--no-check` without a word: publishing now
always runs the bundle check and refuses, with file and line, before anything is signed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.boot.cli import main as kiosk
from tests.updates.conftest import SERVICES, write_flows


@pytest.mark.slow
def test_publish_refuses_a_bundle_built_with_no_check(tmp_path: Path, capsys,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIOSK_ADMIN_KEY_PASSPHRASE", "correct horse battery staple")
    repo, keys = str(tmp_path / "pub"), str(tmp_path / "keys")
    assert kiosk(["admin", "init", "--repo", repo, "--keys", keys]) == 0
    flows = write_flows(tmp_path / "src", 1)
    flow = flows / SERVICES[1] / "flow.yaml"
    # A step that names a step kind the platform does not have: lint finds it, with its line.
    text = flow.read_text(encoding="utf-8")
    flow.write_text(text.replace("kind: ", "kind: no_such_kind_", 1), encoding="utf-8")
    archive = str(tmp_path / "flows-1.tar.gz")
    assert kiosk(["admin", "build", str(flows), "--version", "1", "--out", archive,
                  "--no-check"]) == 0
    capsys.readouterr()

    assert kiosk(["admin", "publish", archive, "--repo", repo, "--keys", keys,
                  "--to", "all"]) == 1

    err = capsys.readouterr().err
    assert "fails the bundle check; nothing was signed or published" in err
    assert f"{SERVICES[1]}/flow.yaml:" in err  # file and line, inside the bundle
    assert "kiosk-admin-check-" not in err      # not the temporary folder it was unpacked in
    assert kiosk(["admin", "status", "--repo", repo, "--keys", keys]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["bundles"] == [] and status["channels"] == {}
    assert not list((Path(repo) / "targets").rglob("*.tar.gz"))

"""There was no way to see a pushed service on a screen before it went out: the tour ignored
bundles. `kiosk tour --bundle PATH` renders the home screens and every screen of the bundle's
services, with the bundle as the whole catalogue, after the bundle's own check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.updates.bundle import build_archive
from tests.updates.conftest import CREATED, SERVICES, write_flows

ROOT = Path(__file__).resolve().parents[2]
NEW_TITLE = "预约取号（新版）"


def _tour(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KIVY_NO_ARGS": "1",
           "KIVY_NO_CONSOLELOG": "1", "KIVY_HOME": str(ROOT / "var" / "kivy-home")}
    return subprocess.run([sys.executable, "-m", "kiosk", "tour", *args], env=env, text=True,
                          capture_output=True, timeout=300, check=False)


@pytest.mark.slow
def test_tour_renders_the_bundle_residents_will_see(tmp_path: Path) -> None:
    flows = write_flows(tmp_path / "src", 1)
    flow = flows / "appointment" / "flow.yaml"
    text = flow.read_text(encoding="utf-8")
    flow.write_text(text.replace("zh-CN: 预约取号", f"zh-CN: {NEW_TITLE}", 1), encoding="utf-8")
    archive = tmp_path / "flows-1.tar.gz"
    build_archive(flows, archive, 1, "0.1.0", created=CREATED)

    done = _tour("--bundle", str(archive), "--out", str(tmp_path / "out"))

    assert done.returncode == 0, done.stderr[-2000:]
    lines = (tmp_path / "out" / "index.txt").read_text(encoding="utf-8").splitlines()[1:]
    files = [line.split("\t")[0] for line in lines]
    assert files[0] == "01-attract.png" and "02-home-frequent.png" in files
    for service in SERVICES:  # every service of the bundle, from its first screen to 好差评
        shots = [line for line in lines if f"-{service}-" in line.split("\t")[0]]
        assert shots and shots[-1].split("\t")[1] == "step_rate", (service, shots)
    assert any(NEW_TITLE in line for line in lines)  # the bundle's words, not the built-in's
    assert not any("预览停在此处" in line for line in lines)
    for name in files:
        assert (tmp_path / "out" / name).stat().st_size > 10_000


def test_tour_refuses_a_bundle_that_fails_its_check(tmp_path: Path) -> None:
    flows = write_flows(tmp_path / "src", 1, broken=True)
    archive = tmp_path / "flows-1.tar.gz"
    build_archive(flows, archive, 1, "0.1.0", created=CREATED)

    done = _tour("--bundle", str(archive), "--out", str(tmp_path / "out"))

    assert done.returncode == 1
    assert "fails its check, nothing was rendered" in done.stderr
    assert "appointment/flow.yaml" in done.stderr
    assert not list((tmp_path / "out").glob("*.png"))

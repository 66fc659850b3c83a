"""`kiosk flows lint` ran the checks inside the command's own process: a hostile folder (files
that cost seconds of CPU and hundreds of MB to parse, an alias bomb) could exhaust the
technician's or admin's machine. The command now runs lint and smoke in the same limited child
as the terminal's and the console's bundle check (kiosk.updates.childcheck): over a limit the
folder is refused with a plain reason and exit 1, and the command's own process never holds
the folder's YAML. Real parts: the command's `main`, a real child process under setrlimit."""

from __future__ import annotations

import resource
import shutil
import time
from pathlib import Path

import pytest

from kiosk.boot.commands import flows as flows_command
from tests.flows.conftest import CATALOGUE

SERVICES = ("appointment", "acceptance-receipt-reprint")
#: Padded services in the heavy folder: enough that checking them takes well over a second of
#: CPU on an idle machine (two were done in under a second there and were not refused).
HEAVY_SERVICES = 8
PADDING_VALUES = 120_000


def _copy(folder: Path) -> Path:
    for service in SERVICES:
        shutil.copytree(CATALOGUE / service, folder / service)
    return folder


def _heavy(folder: Path) -> Path:
    """Valid YAML, every file under the size cap, seconds of CPU and ~100 MB to check."""
    services = sorted(p.parent.name for p in CATALOGUE.glob("*/flow.yaml"))[:HEAVY_SERVICES]
    for service in services:
        shutil.copytree(CATALOGUE / service, folder / service)
    for path in sorted(folder.glob("*/*.yaml")):
        with path.open("a", encoding="utf-8") as out:
            out.write("padding: [" + ",".join(["0"] * PADDING_VALUES) + "]\n")
    return folder


def _lint(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, float, int]:
    """(exit status, stdout + stderr, seconds, KiB the command's own peak memory grew)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    status = flows_command.main(["lint", *args])
    seconds = time.monotonic() - started
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert "Traceback" not in out
    return status, out, seconds, grown


@pytest.mark.parametrize(("limit", "reason"), [
    (["--cpu-seconds", "1"], "used more than 1 s of CPU time"),
    (["--memory-mb", "64"], "needed more than 64 MB of memory"),
    (["--wall-seconds", "0.5"], "did not finish within 0.5 s"),
], ids=["cpu", "memory", "wall"])
def test_a_hostile_folder_over_a_limit_is_refused(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str],
                                                  limit: list[str], reason: str) -> None:
    heavy = _heavy(tmp_path / "heavy")
    status, out, seconds, grown = _lint(capsys, *limit, str(heavy))
    assert status == 1
    assert out.startswith(f"{heavy}: refused: kiosk flows lint ") and reason in out, out
    assert grown < 30 * 1024  # the child parsed the YAML, not the command's process
    print(f"\n{limit}: refused in {seconds:.2f} s")


def test_an_alias_bomb_is_refused_with_its_file(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    folder = _copy(tmp_path / "bomb")
    flow = folder / "appointment" / "flow.yaml"
    lines = ["a0: &a0 [" + ", ".join(['"lol"'] * 9) + "]"]
    lines += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, 9)]
    flow.write_text("\n".join(lines) + "\n", encoding="utf-8")
    status, out, _seconds, grown = _lint(capsys, str(folder))
    assert status == 1 and f"{flow}:" in out and "alias" in out.lower(), out
    assert grown < 30 * 1024


def test_the_default_limits_check_the_whole_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _seconds, _grown = _lint(capsys, str(CATALOGUE))
    assert status == 0
    assert "flows lint: 0 problem(s) in 25 service(s)" in out


def test_limits_that_are_not_positive_are_bad_usage(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    for bad in (["--cpu-seconds", "0"], ["--memory-mb", "-1"], ["--wall-seconds", "inf"]):
        assert flows_command.main(["lint", *bad, str(tmp_path)]) == 2
        assert "must be positive" in capsys.readouterr().err

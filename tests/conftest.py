"""Suite-wide test tiers: what `bash scripts/test.sh --fast` leaves out (docs/adr/0443, 0801).

Every test that drives a real Kivy window, or starts real pcscd daemons, is marked ``slow`` by
its folder, so the edit loop stays short; CI runs everything. A console test run on both SQLite
and PostgreSQL (a ``"postgresql"`` parameter beside a ``"sqlite"`` one) is ``slow`` in its
PostgreSQL run only: the fast tier keeps the SQLite run and every PostgreSQL-only test.
With ``-m "not slow"`` (the fast tier) the slow folders are not even collected: their modules
were imported only for every test in them to be deselected.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
#: Folders whose tests are slow by nature: a real Kivy window, or real pcscd daemons.
SLOW_FOLDERS = ("ui", "technician/ui", "drivers/smartcard")


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """In the fast tier, skip the folders whose every test is slow."""
    if config.getoption("markexpr", "") != "not slow":
        return None
    if any(collection_path.is_relative_to(ROOT / folder) for folder in SLOW_FOLDERS):
        return True
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests of `SLOW_FOLDERS` slow, and the PostgreSQL runs of tests that also run
    on SQLite."""
    slow = [ROOT / folder for folder in SLOW_FOLDERS]
    ids = {item.nodeid for item in items}
    for item in items:
        path = Path(str(item.fspath))
        if any(path.is_relative_to(folder) for folder in slow) or _sqlite_twin(item) in ids:
            item.add_marker(pytest.mark.slow)


def _sqlite_twin(item: pytest.Item) -> str:
    """The node id of the same test with its "postgresql" parameter as "sqlite" ("" if it has
    no such parameter)."""
    callspec = getattr(item, "callspec", None)
    if callspec is None or "postgresql" not in callspec.params.values():
        return ""
    name, _, params = item.nodeid.partition("[")
    twin = "-".join("sqlite" if part == "postgresql" else part
                    for part in params.removesuffix("]").split("-"))
    return f"{name}[{twin}]"

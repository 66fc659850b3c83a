"""The work behind `kiosk flows lint|smoke`: lint every service folder under some roots, then
smoke-run each service that linted clean (headless, over its fixtures, to the end).

The command line runs this in a child process under CPU-time and memory limits
(kiosk.updates.childcheck), like the terminal's and the console's bundle check: the folders are
hostile until checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from flows.definition import FLOW_FILE
from flows.lint import lint_dir
from flows.smoke import smoke_service

#: What the command does: lint (and smoke-run), or only smoke-run.
ACTIONS = ("lint", "smoke")


def service_folders(root: Path) -> list[Path]:
    """``root`` itself when it is a service folder, else the service folders right under it."""
    if (root / FLOW_FILE).exists():
        return [root]
    return sorted(p for p in root.iterdir() if (p / FLOW_FILE).exists()) if root.is_dir() else []


def lint_and_smoke(roots: Sequence[Path], action: str = "lint",
                   smoke: bool = True) -> tuple[list[str], int]:
    """(``file:line: message`` problems, number of services) for ``roots``."""
    if action not in ACTIONS:
        raise ValueError(f"action must be one of {ACTIONS}, not {action!r}")
    problems: list[str] = []
    services = 0
    for root in roots:
        folders = service_folders(root)
        services += len(folders)
        linted = [str(p) for p in lint_dir(root)] if action == "lint" else []
        problems.extend(linted)
        if action == "smoke" or smoke:
            bad = {line.split(":", 1)[0] for line in linted}
            for folder in folders:
                if str(folder / FLOW_FILE) not in bad:
                    problems.extend(str(p) for p in smoke_service(folder))
    return problems, services

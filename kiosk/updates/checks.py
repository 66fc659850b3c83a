"""The bundle check used by both sides: `kiosk admin build` before signing, the terminal after
activating (and rolling back when it fails).

THE SEAM (docs/adr/0164): a check is any ``Callable[[Path], list[str]]`` returning problems (empty
= good). :data:`CHECKS` lists the checks run in order; :func:`bundle_check` runs them all. Today it
holds the manifest/YAML check from :mod:`kiosk.updates.bundle`. Once the flow engine is merged, the
lead appends two entries here, e.g.::

    from flows.lint import lint_bundle          # schema, references, strings, templates
    from flows.smoke import smoke_run  # each service headless against fixtures
    CHECKS = (check_bundle, lint_bundle, smoke_run)

Nothing else changes: the admin CLI and :class:`kiosk.updates.terminal.BundleUpdater` (argument
``check_bundle=bundle_check``) pick it up.

:func:`bundle_check` runs :func:`run_checks` in a child process under CPU-time and memory limits
(:mod:`kiosk.updates.childcheck`, docs/adr/0423): a bundle whose check runs away is refused with
a plain reason, and the process that asked (the kiosk, the admin CLI) is not touched.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.updates.bundle import BundleCheck, check_bundle
from kiosk.updates.childcheck import isolated_check


def _lint(path: Path) -> list[str]:
    from flows.lint import lint_bundle

    return [str(p) for p in lint_bundle(path)]


def _smoke(path: Path) -> list[str]:
    from flows.smoke import smoke_run

    return [str(p) for p in smoke_run(path)]


_lint.__name__ = "lint_bundle"
_smoke.__name__ = "smoke_run"

#: Checks run in order; a later check only runs when the earlier ones found nothing:
#: the manifest and archive, then the flow lint (schema, references, strings, templates,
#: devices), then every service run headless over its own fixtures.
CHECKS: tuple[BundleCheck, ...] = (check_bundle, _lint, _smoke)


def bundle_check(path: Path) -> list[str]:
    """Run :data:`CHECKS` on an unpacked bundle in a limited child process; problems."""
    return isolated_check(path)


def run_checks(path: Path) -> list[str]:
    """Run :data:`CHECKS` here, in this process; return the first failing check's problems.

    MemoryError is let through (the limited child reports it as a memory refusal)."""
    for check in CHECKS:
        try:
            problems = list(check(path))
        except MemoryError:
            raise
        except Exception as exc:  # a plug-in check that crashes is a failing check
            return [f"{getattr(check, '__name__', 'check')} crashed: {exc.__class__.__name__}"]
        if problems:
            return problems
    return []

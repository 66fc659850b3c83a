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
"""

from __future__ import annotations

from pathlib import Path

from kiosk.updates.bundle import BundleCheck, check_bundle


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
    """Run :data:`CHECKS` on an unpacked bundle; return the first failing check's problems."""
    for check in CHECKS:
        try:
            problems = list(check(path))
        except Exception as exc:  # a plug-in check that crashes is a failing check
            return [f"{getattr(check, '__name__', 'check')} crashed: {exc.__class__.__name__}"]
        if problems:
            return problems
    return []

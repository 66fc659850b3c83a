"""`kiosk bench flows`: the flow engine's overhead per transition (goal: well under 1 ms).

For every built-in service, one journey is recorded with the headless resident over canned
port answers (built once from the service's fixtures, so port calls cost next to nothing),
then replayed many times: a fresh `FlowRun` and the same intents. The figure is wall time per
`send` (view included). The floor, measured in the same run, is building the same number of
bare `View` objects directly: the least any engine must do to hand the UI a screen.

Certificate rendering against bare reportlab is added by the printing work.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

try:
    _YAML_LOADER: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML without libyaml
    _YAML_LOADER = yaml.SafeLoader

from flows.definition import FlowDefinition, load_definition
from flows.engine import FlowRun
from flows.headless import drive
from flows.services import BUILTIN_ROOT
from flows.smoke import SMOKE_DATE, ReplayPorts
from flows.views import Intent, StepKind, View

TODAY = SMOKE_DATE


@dataclass
class _Journey:
    definition: FlowDefinition
    ports: ReplayPorts
    intents: list[Intent]


def _record(folder: Path) -> _Journey:
    definition = load_definition(folder)
    fixtures = yaml.safe_load((folder / "fixtures.yaml").read_text(encoding="utf-8")) or {}
    ports = ReplayPorts(fixtures)
    run = FlowRun(definition, ports, today=TODAY)
    intents: list[Intent] = []
    original = run.send

    def recording(intent: Intent) -> View:
        intents.append(intent)
        return original(intent)

    run.send = recording  # type: ignore[method-assign]
    drive(run, fixtures.get("answers") or {})
    return _Journey(definition, ports, intents)


def _replay(journey: _Journey) -> int:
    run = FlowRun(journey.definition, journey.ports, today=TODAY)
    run.view()
    for intent in journey.intents:
        run.send(intent)
    assert run.finished
    return len(journey.intents)


def _floor(count: int) -> None:
    for i in range(count):
        View(step_id=f"s{i}", kind=StepKind.FORM, title="标题", service_title="服务",
             body="", speech="请输入")


def main(argv: list[str]) -> int:
    """Print per-transition figures for every built-in service and the overall ratio."""
    parser = argparse.ArgumentParser(prog="kiosk bench flows")
    parser.add_argument("--repeat", type=int, default=30, help="replays per service")
    parser.add_argument("--root", type=Path, default=BUILTIN_ROOT)
    args = parser.parse_args(argv)
    folders = sorted(p for p in args.root.iterdir() if (p / "flow.yaml").exists())
    journeys = {f.name: _record(f) for f in folders}
    print(f"flow engine: {len(journeys)} services, {args.repeat} replays each")
    print(f"{'service':<32}{'transitions':>12}{'us/transition':>16}")
    per_transition: list[float] = []
    total_transitions = 0
    total_time = 0.0
    for name, journey in journeys.items():
        _replay(journey)  # warm up
        samples = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            count = _replay(journey)
            samples.append((time.perf_counter() - t0) / count)
        median = statistics.median(samples)
        per_transition.append(median)
        total_transitions += count * args.repeat
        total_time += sum(samples) * count
        print(f"{name:<32}{count:>12}{median * 1e6:>16.1f}")
    t0 = time.perf_counter()
    _floor(total_transitions)
    floor = (time.perf_counter() - t0) / total_transitions
    mean = total_time / total_transitions
    worst = max(per_transition)
    print(f"engine: mean {mean * 1e6:.1f} us/transition, worst service median "
          f"{worst * 1e6:.1f} us (goal < 1000 us)")
    print(f"floor (bare View construction): {floor * 1e6:.2f} us; ratio {mean / floor:.1f}x")
    _catalogue_figures(args.root, args.repeat)
    _certificate_figures(args.repeat)
    return 0


def _certificate_figures(repeat: int) -> None:
    """A certificate rendered from a flow's filled document, against a bare reportlab page with
    the same text and font in the same run (goal <= 1.5x; kiosk bench print has the details)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from kiosk.bench.print import RENDER_GOAL_RATIO, bare_page, sample_certificate
    from kiosk.certificates.fonts import register_font
    from kiosk.certificates.keys import CertificateSigner
    from kiosk.certificates.render import render_certificate

    font = register_font()
    doc = sample_certificate()
    signer = CertificateSigner(Ed25519PrivateKey.generate())

    def best(fn: Callable[[], object]) -> float:
        fn()
        times = []
        for _ in range(max(5, repeat)):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return min(times)

    render = best(lambda: render_certificate(doc, signer))
    floor = best(lambda: bare_page(doc, font))
    ratio = render / floor
    verdict = "met" if ratio <= RENDER_GOAL_RATIO else "over the goal"
    print(f"certificate render: {render * 1e3:.2f} ms; bare reportlab page (same text, font): "
          f"{floor * 1e3:.2f} ms; ratio {ratio:.2f}x (goal <= {RENDER_GOAL_RATIO}x: {verdict})")


def _catalogue_figures(root: Path, repeat: int) -> None:
    """Catalogue load (with and without the fixture checks) and search, against reading the
    YAML files alone in the same run."""
    from flows.services import Catalogue

    def timed(fn: Callable[[], object], n: int) -> float:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        return (time.perf_counter() - t0) / n

    files = sorted(root.glob("*/flow.yaml"))
    n = max(1, repeat // 10)
    floor = timed(lambda: [yaml.load(f.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
                           for f in files], n)
    plain = timed(lambda: Catalogue.load(root, check_fixtures=False), n)
    checked = timed(lambda: Catalogue.load(root), n)
    catalogue = Catalogue.load(root, check_fixtures=False)
    queries = ("sbjf", "社保", "gongjijin", "tax", "xsecs", "证明")
    search = timed(lambda: [catalogue.search(q) for q in queries], repeat * 10) / len(queries)
    print(f"catalogue load ({len(files)} services): {plain * 1e3:.1f} ms, with fixture checks "
          f"{checked * 1e3:.1f} ms; floor (YAML parse only) {floor * 1e3:.1f} ms; "
          f"ratio {plain / floor:.1f}x")
    print(f"catalogue search: {search * 1e6:.1f} us per query")

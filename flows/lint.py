"""Lint a service bundle the way CI and the terminal's loader do (hassfest-style).

Checks, each reported as ``file:line: message``:
- the YAML parses; the definition matches flows/schema/flow.schema.json (unknown step types,
  unknown devices, missing translations are schema errors with a friendlier message);
- references: start and ``next`` targets exist, templates named by steps exist, step
  parameters are present, devices needed by print/capture steps are listed;
- every expression and template passes the restricted evaluator's checks;
- the folder name is the service id, and ``fixtures.yaml`` exists;
- every template renders against the fixtures (receipts, certificates, submitted answers,
  conditions), so a typo in a placeholder is caught before a resident sees it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from flows.definition import (
    FIXTURES_FILE,
    FLOW_FILE,
    DefinitionError,
    FlowDefinition,
    load_definition,
)
from flows.documents import DocumentTable
from flows.expressions import ExpressionError, age_from_birth_date
from flows.fill import fill_certificate, fill_receipt
from flows.ports import IssuedCertificate, Resident
from flows.yamlsource import Problem, SourceMap, YamlError, load_yaml

#: The date fixtures are rendered on (fixed, so lint is reproducible).
LINT_DATE = date(2026, 1, 1)


def lint_dir(root: Path | str) -> list[Problem]:
    """Lint every service folder under ``root`` (or ``root`` itself when it is one)."""
    root = Path(root)
    if (root / FLOW_FILE).exists():
        return lint_service(root)[0]
    if not root.is_dir():
        return [Problem(str(root), 1, "no such directory")]
    problems: list[Problem] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if not (folder / FLOW_FILE).exists():
            if not folder.name.startswith((".", "_")):
                problems.append(Problem(str(folder), 1, f"no {FLOW_FILE} in service folder"))
            continue
        problems.extend(lint_service(folder)[0])
    return problems + _finding_problems(root)


def _finding_problems(root: Path) -> list[Problem]:
    """The bundle's licence directory and themes: bad kinds, unknown or empty themes."""
    from flows.finding import Finding
    from flows.licence_items import load_directory

    kinds, problems = load_directory(root)
    finding = Finding.load(root)
    problems += finding.problems
    used = {t for k in kinds for t in k.themes} | {
        t for p in finding.services.values() for t in p.themes}
    problems += [Problem(str(root / "themes.yaml"), 1, f"theme {t!r} has no items")
                 for t in finding.themes if t not in used]
    return problems


def lint_bundle(root: Path) -> list[str]:
    """`BundleCheck` for the updater: lint problems under ``root`` as text lines."""
    return [str(p) for p in lint_dir(root)]


def lint_service(folder: Path, check_fixtures: bool = True,
                 ) -> tuple[list[Problem], FlowDefinition | None]:
    """Problems of one service folder, and its definition when it loaded."""
    folder = Path(folder)
    try:
        definition = load_definition(folder)
    except DefinitionError as exc:
        return list(exc.problems), None
    problems: list[Problem] = []
    source = definition.source or SourceMap(definition.path)
    if definition.id != folder.name:
        problems.append(source.problem(("id",), f"service id {definition.id!r} must equal its "
                                                f"folder name {folder.name!r}"))
    if check_fixtures:
        try:
            problems.extend(_check_fixtures(definition, folder))
        except Exception as exc:  # fixtures of an unexpected shape: a problem, not a crash
            problems.append(Problem(str(folder / FIXTURES_FILE), 1,
                                    f"fixtures have an unexpected shape ({type(exc).__name__})"))
    return problems, definition


def _check_fixtures(definition: FlowDefinition, folder: Path) -> list[Problem]:
    path = folder / FIXTURES_FILE
    if not path.exists():
        return [Problem(str(folder / FLOW_FILE), 1,
                        f"no {FIXTURES_FILE}: templates cannot be checked")]
    try:
        fixtures, _ = load_yaml(path.read_text(encoding="utf-8"), str(path))
    except YamlError as exc:
        return [exc.problem]
    except (OSError, UnicodeDecodeError) as exc:
        return [Problem(str(path), 1, f"cannot read: {exc}")]
    if fixtures is None:
        fixtures = {}
    if not isinstance(fixtures, dict):
        return [Problem(str(path), 1, "fixtures must be a mapping")]
    return render_problems(definition, fixtures)


def fixture_resident(fixtures: Mapping[str, Any]) -> Resident | None:
    """The fixtures' resident as the engine would see it."""
    raw = fixtures.get("resident")
    if not isinstance(raw, Mapping):
        return None
    birth = raw.get("birth_date")
    try:
        born = date.fromisoformat(str(birth)) if birth else None
    except ValueError:
        born = None
    return Resident(name=str(raw.get("name", "")), id_number=str(raw.get("id_number", "")),
                    display_name=str(raw.get("display_name", "")), sex=str(raw.get("sex", "")),
                    birth_date=born)


def fixture_names(definition: FlowDefinition, fixtures: Mapping[str, Any],
                  locale: str = "zh-CN") -> dict[str, Any]:
    """The names the engine would bind by the end of a run over these fixtures."""
    resident = fixture_resident(fixtures)
    identity: dict[str, Any] = {}
    if resident is not None:
        birth = resident.birth_date.isoformat() if resident.birth_date else ""
        identity = {"name": resident.name, "id_number": resident.id_number,
                    "display_name": resident.display_name, "sex": resident.sex,
                    "birth_date": birth,
                    "age": age_from_birth_date(birth, LINT_DATE) if birth else -1}
    answers = {k: v for k, v in (fixtures.get("answers") or {}).items()
               if not str(k).startswith("_")}
    for source in ("prefill", "profile"):
        for k, v in (fixtures.get(source) or {}).items():
            answers.setdefault(k, str(v))
    data: dict[str, Any] = {}
    records: dict[str, Any] = {}
    application = fixtures.get("application") or {}
    appointment = fixtures.get("appointment") or {}
    labels: dict[str, str] = {}
    for step in definition.steps.values():
        pairs = [(step.key, step.options)] if step.type == "choose" else []
        pairs += [(f.key, f.options) for f in step.fields if f.options]
        for key, options in pairs:
            value = answers.get(key)
            chosen = value if isinstance(value, list) else [value]
            texts = [definition.text(o.label, locale) for o in options if o.value in chosen]
            labels[key] = "、".join(texts)
        if step.type == "submit":
            data[step.id] = dict(appointment) if step.target == "appointment" else dict(
                application)
        elif step.type == "records":
            raw = (fixtures.get("records") or {}).get(step.source) or {}
            items = list(raw.get("items") or [])
            if step.source == "licences":
                items = list(fixtures.get("licences") or [])
            elif step.source == "benefits":
                items = list(fixtures.get("benefits") or [])
            elif step.source == "certificates":
                items = list(fixtures.get("issued_certificates") or [])
            records = {"title": raw.get("title", ""), "total": len(items),
                       "summary": dict(raw.get("summary") or {}), "page": 1,
                       "items": items[: step.page_size]}
            if step.source == "case_progress":
                case: Mapping[str, Any] = next(iter((fixtures.get("cases") or {}).values()), {})
                records["summary"] = {"status": case.get("status", ""), "case_number": ""}
            data[step.id] = records
    return {"identity": identity, "profile": dict(fixtures.get("profile") or {}),
            "prefill": dict(fixtures.get("prefill") or {}), "answers": answers, "data": data,
            "licences": [x.get("type") for x in fixtures.get("licences") or []],
            "materials": {}, "service": definition.id, "locale": locale,
            "outcome": str(application.get("status", "")),
            "case_number": str(application.get("case_number", "")), "records": records,
            "labels": labels, "value": ""}


def render_problems(definition: FlowDefinition, fixtures: Mapping[str, Any]) -> list[Problem]:
    """Render every template and evaluate every condition against the fixtures."""
    problems: list[Problem] = []
    source = definition.source or SourceMap(definition.path)
    for locale in ("zh-CN", "en"):
        names = fixture_names(definition, fixtures, locale)
        for name, receipt in definition.receipts.items():
            for line in receipt.lines:
                try:
                    if line.when is not None:
                        line.when.evaluate(names, LINT_DATE)
                    line.value.render(names, LINT_DATE)
                except ExpressionError as exc:
                    problems.append(Problem(source.file, line.line,
                                            f"receipt {name!r}: template error: {exc}"))
            try:
                fill_receipt(definition, receipt, names, locale, LINT_DATE)
            except ExpressionError as exc:
                problems.append(Problem(source.file, receipt.line,
                                        f"receipt {name!r}: template error: {exc}"))
        for name, cert in definition.certificates.items():
            raw = (fixtures.get("certificates") or {}).get(cert.kind)
            if not isinstance(raw, Mapping):
                problems.append(Problem(source.file, cert.line,
                                        f"certificate {name!r}: fixtures have no certificate "
                                        f"of kind {cert.kind!r}"))
                continue
            for line in cert.fields:
                try:
                    if line.when is not None:
                        line.when.evaluate(names, LINT_DATE)
                    line.value.render(names, LINT_DATE)
                except ExpressionError as exc:
                    problems.append(Problem(source.file, line.line,
                                            f"certificate {name!r}: template error: {exc}"))
            try:
                issued = _issued(cert.kind, raw)
                fill_certificate(definition, cert, issued, fixture_resident(fixtures), names,
                                 locale, LINT_DATE)
            except (ExpressionError, KeyError, TypeError, ValueError) as exc:
                problems.append(Problem(source.file, cert.line,
                                        f"certificate {name!r}: cannot fill from fixtures: "
                                        f"{exc}"))
        for sid, step in definition.steps.items():
            checks = [(step.when, "when"), *((t.when, "next") for t in step.next),
                      (step.case_number, "case_number"), (step.reissue, "reissue")]
            for expression, what in checks:
                if expression is None:
                    continue
                try:
                    expression.evaluate(names, LINT_DATE)
                except ExpressionError as exc:
                    problems.append(Problem(source.file, step.line,
                                            f"step {sid!r} {what}: {exc}"))
            for key, template in step.answers.items():
                try:
                    template.render(names, LINT_DATE)
                except ExpressionError as exc:
                    problems.append(Problem(source.file, step.line,
                                            f"step {sid!r} answer {key!r}: template error: "
                                            f"{exc}"))
    return _unique(problems)


def _issued(kind: str, raw: Mapping[str, Any]) -> IssuedCertificate:
    table = raw.get("table")
    return IssuedCertificate(
        serial=str(raw["serial"]), kind=kind, title=str(raw["title"]),
        issuer=str(raw["issuer"]), issue_date=date.fromisoformat(str(raw["issue_date"])),
        fields=tuple((str(a), str(b)) for a, b in raw.get("fields") or ()),
        table=DocumentTable(tuple(map(str, table["columns"])),
                            tuple(tuple(map(str, r)) for r in table["rows"])) if table else None,
        notes=tuple(map(str, raw.get("notes") or ())),
    )


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[Problem] = set()
    out = []
    for p in problems:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out

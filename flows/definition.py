"""Flow definitions: a service folder's ``flow.yaml`` read, checked and compiled once.

Loading goes YAML (with lines) -> JSON Schema (flows/schema/flow.schema.json) -> references and
step parameters -> expressions and templates compiled with the restricted evaluator. Every
problem is collected as a `Problem` (file, line, message); `load_definition` raises
`DefinitionError` carrying all of them, so lint and the run-time loader report the same thing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from flows.expressions import (
    Expression,
    ExpressionError,
    Template,
    compile_expression,
    compile_template,
)
from flows.ports import KNOWN_DEVICES
from flows.yamlsource import Problem, SourceMap, YamlError, load_yaml

SCHEMA_PATH = Path(__file__).with_name("schema") / "flow.schema.json"
FLOW_FILE = "flow.yaml"
FIXTURES_FILE = "fixtures.yaml"
LOCALES = ("zh-CN", "en")
END = "end"

#: Names every expression and template may refer to (bound by the engine).
BOUND_NAMES = frozenset(
    {"identity", "profile", "prefill", "answers", "data", "licences", "materials", "service",
     "locale", "outcome", "case_number", "records", "value", "labels"}
)

I18n = Mapping[str, str]

#: Device each step kind needs (when it is present in a flow).
STEP_DEVICES: dict[str, str] = {
    "print_certificate": "document_printer",
    "licence_copy": "document_printer",
    "print_receipt": "receipt_printer",
}


class DefinitionError(ValueError):
    """A flow definition was refused; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Transition:
    """Go to ``target`` when ``when`` holds (or always when it is None)."""

    target: str
    when: Expression | None = None


@dataclass(frozen=True, slots=True)
class Validation:
    """A rule an answer must satisfy, and the message when it does not."""

    rule: Expression
    message: I18n


@dataclass(frozen=True, slots=True)
class OptionDef:
    """A choice in a choose step or a choice field."""

    value: str
    label: I18n
    detail: I18n | None = None
    when: Expression | None = None


@dataclass(frozen=True, slots=True)
class FieldDef:
    """One form question (one page)."""

    key: str
    label: I18n
    kind: str = "text"
    required: bool = True
    editable: bool = True
    max_length: int = 64
    hint: I18n | None = None
    prefill: str = ""
    default: Template | None = None
    when: Expression | None = None
    options: tuple[OptionDef, ...] = ()
    validate: tuple[Validation, ...] = ()


@dataclass(frozen=True, slots=True)
class MaterialDef:
    """A material an application needs, replaceable by an electronic licence of given types."""

    name: str
    label: I18n
    licence_types: tuple[str, ...] = ()
    required: bool = True


@dataclass(frozen=True, slots=True)
class StepDef:
    """One step of the fixed library with its parameters."""

    id: str
    type: str
    line: int
    title: I18n | None = None
    text: I18n | None = None
    speech: I18n | None = None
    when: Expression | None = None
    next: tuple[Transition, ...] = ()
    key: str = ""
    multiple: bool = False
    options: tuple[OptionDef, ...] = ()
    fields: tuple[FieldDef, ...] = ()
    material: MaterialDef | None = None
    materials: tuple[MaterialDef, ...] = ()
    optional: bool = False
    target: str = "application"
    service: str = ""
    answers: Mapping[str, Template] = field(default_factory=dict)
    source: str = ""
    case_number: Expression | None = None
    page_size: int = 10
    select: str = ""
    value_column: str = ""
    receipt: str = ""
    certificate: str = ""
    reissue: Expression | None = None  # print_certificate: the serial to print again
    reasons: tuple[I18n, ...] = ()
    categories: tuple[I18n, ...] = ()
    outcome: str = ""
    licence_kind: str = ""  # licence_copy: the directory kind offered ("" = every kind held)


@dataclass(frozen=True, slots=True)
class LineDef:
    """A label/value line of a receipt or certificate template."""

    label: I18n
    value: Template
    when: Expression | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class ReceiptTemplate:
    """How to fill a `ReceiptDocument`."""

    name: str
    title: I18n
    lines: tuple[LineDef, ...]
    notes: tuple[I18n, ...] = ()
    qr: Template | None = None
    footer: I18n | None = None
    table_rows: int = 0  # print up to N rows of the current records table
    line: int = 0


@dataclass(frozen=True, slots=True)
class CertificateTemplate:
    """How to fill a `CertificateDocument` from the platform's issued certificate."""

    name: str
    kind: str  # platform certificate kind (POST /v1/certificates)
    title: I18n | None = None
    fields: tuple[LineDef, ...] = ()
    notes: tuple[I18n, ...] = ()
    case_number: Expression | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class FlowDefinition:
    """A checked, compiled service definition."""

    id: str
    version: str
    category: str
    kind: str
    service_code: str
    title: I18n
    guide: Mapping[str, I18n]
    steps: Mapping[str, StepDef]
    order: tuple[str, ...]
    start: str
    summary: I18n | None = None
    keywords: tuple[str, ...] = ()
    identity_required: bool = True
    devices: tuple[str, ...] = ()
    optional_devices: tuple[str, ...] = ()
    receipts: Mapping[str, ReceiptTemplate] = field(default_factory=dict)
    certificates: Mapping[str, CertificateTemplate] = field(default_factory=dict)
    rating_reasons: tuple[I18n, ...] = ()
    path: str = ""
    source: SourceMap | None = field(default=None, repr=False, compare=False)

    @property
    def all_devices(self) -> tuple[str, ...]:
        """The devices the service needs followed by those it can use."""
        return self.devices + self.optional_devices

    def text(self, value: I18n | None, locale: str) -> str:
        """Pick ``locale`` from a translated string (zh-CN when missing)."""
        if not value:
            return ""
        return value.get(locale) or value.get("zh-CN", "")


@cache
def flow_schema() -> dict[str, Any]:
    """The published JSON Schema of flow definitions."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(flow_schema())


def load_definition(folder: Path | str) -> FlowDefinition:
    """Load ``folder/flow.yaml``; raise `DefinitionError` with every problem found."""
    path = Path(folder) / FLOW_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError([Problem(str(path), 1, f"cannot read: {exc}")]) from exc
    return parse_definition(text, str(path))


def parse_definition(text: str, file: str) -> FlowDefinition:
    """Parse and check definition text; raise `DefinitionError` with every problem found."""
    try:
        data, source = load_yaml(text, file)
    except YamlError as exc:
        raise DefinitionError([exc.problem]) from exc
    problems = schema_problems(data, source)
    if problems:
        raise DefinitionError(problems)
    builder = _Builder(data, source)
    definition = builder.build()
    if builder.problems:
        raise DefinitionError(builder.problems)
    return definition


def schema_problems(data: Any, source: SourceMap) -> list[Problem]:
    """Schema violations, each located and phrased for a technician."""
    if not isinstance(data, dict):
        return [source.problem((), "a flow definition must be a mapping")]
    problems = []
    for error in sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.path))):
        path = list(error.absolute_path)
        problems.append(source.problem(path, _phrase(error, path)))
    return problems


def _phrase(error: jsonschema.ValidationError, path: list[Any]) -> str:
    where = "/".join(str(p) for p in path) or "(top)"
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [k for k in error.validator_value if k not in error.instance]
        if set(missing) & set(LOCALES) and set(error.instance) & set(LOCALES):
            return f"{where}: missing translation {', '.join(missing)}"
        return f"{where}: missing {', '.join(missing)}"
    if error.validator == "enum" and path and path[-1] == "type":
        return f"{where}: unknown step type {error.instance!r}"
    if error.validator == "enum" and "devices" in path:
        known = ", ".join(sorted(KNOWN_DEVICES))
        return f"{where}: unknown device {error.instance!r} (known: {known})"
    if error.validator == "additionalProperties":
        return f"{where}: {error.message}"
    return f"{where}: {error.message}"


class _Builder:
    """Turns schema-valid data into a `FlowDefinition`, collecting reference problems."""

    def __init__(self, data: dict[str, Any], source: SourceMap) -> None:
        self.data = data
        self.source = source
        self.problems: list[Problem] = []

    def problem(self, path: tuple[Any, ...], message: str) -> None:
        self.problems.append(self.source.problem(path, message))

    def expr(self, value: str | None, path: tuple[Any, ...]) -> Expression | None:
        if value is None:
            return None
        try:
            return compile_expression(value, BOUND_NAMES)
        except ExpressionError as exc:
            self.problem(path, f"expression refused: {exc}")
            return None

    def template(self, value: str | None, path: tuple[Any, ...]) -> Template | None:
        if value is None:
            return None
        try:
            return compile_template(value, BOUND_NAMES)
        except ExpressionError as exc:
            self.problem(path, f"template refused: {exc}")
            return None

    def options(self, items: list[dict[str, Any]], path: tuple[Any, ...]) -> tuple[OptionDef, ...]:
        seen: set[str] = set()
        out = []
        for i, item in enumerate(items):
            if item["value"] in seen:
                self.problem((*path, i), f"duplicate option value {item['value']!r}")
            seen.add(item["value"])
            out.append(OptionDef(item["value"], item["label"], item.get("detail"),
                                 self.expr(item.get("when"), (*path, i, "when"))))
        return tuple(out)

    def build(self) -> FlowDefinition:
        d = self.data
        steps: dict[str, StepDef] = {}
        order: list[str] = []
        for i, raw in enumerate(d["steps"]):
            step = self.step(raw, ("steps", i))
            if step.id in steps:
                self.problem(("steps", i, "id"), f"duplicate step id {step.id!r}")
            steps[step.id] = step
            order.append(step.id)
        receipts = {name: self.receipt(name, raw)
                    for name, raw in d.get("templates", {}).get("receipts", {}).items()}
        certificates = {name: self.certificate(name, raw)
                        for name, raw in d.get("templates", {}).get("certificates", {}).items()}
        start = d.get("start", order[0])
        if start not in steps:
            self.problem(("start",), f"start step {start!r} does not exist")
        devices = tuple(d.get("devices", ()))
        optional = tuple(d.get("optional_devices", ()))
        if d.get("identity", "required") == "required" and start in steps and (
            steps[start].type != "identify"
        ):
            self.problem(("steps", 0), "identity is required: the first step must be 'identify' "
                                       "(or set identity: none)")
        self.references(steps, receipts, certificates, devices + optional)
        return FlowDefinition(
            id=d["id"], version=str(d["version"]), category=d["category"], kind=d["kind"],
            service_code=d.get("service_code", d["id"]), title=d["title"], guide=d["guide"],
            steps=steps, order=tuple(order), start=start, summary=d.get("summary"),
            keywords=tuple(d.get("keywords", ())),
            identity_required=d.get("identity", "required") == "required",
            devices=devices, optional_devices=optional, receipts=receipts,
            certificates=certificates, rating_reasons=tuple(d.get("rating_reasons", ())),
            path=self.source.file, source=self.source,
        )

    def step(self, raw: dict[str, Any], path: tuple[Any, ...]) -> StepDef:
        nxt = raw.get("next")
        if nxt is None:
            transitions: tuple[Transition, ...] = ()
        elif isinstance(nxt, str):
            transitions = (Transition(nxt),)
        else:
            transitions = tuple(
                Transition(t["goto"], self.expr(t.get("when"), (*path, "next", j, "when")))
                for j, t in enumerate(nxt)
            )
        fields = tuple(self.field_def(f, (*path, "fields", j))
                       for j, f in enumerate(raw.get("fields", ())))
        material = self.material(raw["material"]) if "material" in raw else None
        return StepDef(
            id=raw["id"], type=raw["type"], line=self.source.line(path),
            title=raw.get("title"), text=raw.get("text"), speech=raw.get("speech"),
            when=self.expr(raw.get("when"), (*path, "when")), next=transitions,
            key=raw.get("key", ""), multiple=raw.get("multiple", False),
            options=self.options(raw.get("options", []), (*path, "options")),
            fields=fields, material=material,
            materials=tuple(self.material(m) for m in raw.get("materials", ())),
            optional=raw.get("optional", False), target=raw.get("target", "application"),
            service=raw.get("service", ""),
            answers={k: t for k, v in raw.get("answers", {}).items()
                     if (t := self.template(v, (*path, "answers", k))) is not None},
            source=raw.get("source", ""),
            case_number=self.expr(raw.get("case_number"), (*path, "case_number")),
            page_size=raw.get("page_size", 10), select=raw.get("select", ""),
            value_column=raw.get("value_column", ""), receipt=raw.get("receipt", ""),
            certificate=raw.get("certificate", ""),
            reissue=self.expr(raw.get("reissue"), (*path, "reissue")),
            reasons=tuple(raw.get("reasons", ())),
            categories=tuple(raw.get("categories", ())), outcome=raw.get("outcome", ""),
            licence_kind=raw.get("licence_kind", ""),
        )

    @staticmethod
    def material(raw: dict[str, Any]) -> MaterialDef:
        return MaterialDef(raw["name"], raw["label"], tuple(raw.get("licence_types", ())),
                           raw.get("required", True))

    def field_def(self, raw: dict[str, Any], path: tuple[Any, ...]) -> FieldDef:
        kind = raw.get("kind", "choice" if raw.get("options") else "text")
        if kind == "choice" and not raw.get("options"):
            self.problem(path, f"field {raw['key']!r} of kind choice needs options")
        return FieldDef(
            key=raw["key"], label=raw["label"], kind=kind, required=raw.get("required", True),
            editable=raw.get("editable", True), max_length=raw.get("max_length", 64),
            hint=raw.get("hint"), prefill=raw.get("prefill", raw["key"]),
            default=self.template(raw.get("default"), (*path, "default")),
            when=self.expr(raw.get("when"), (*path, "when")),
            options=self.options(raw.get("options", []), (*path, "options")),
            validate=tuple(
                Validation(e, v["message"])
                for j, v in enumerate(raw.get("validate", ()))
                if (e := self.expr(v["rule"], (*path, "validate", j, "rule"))) is not None
            ),
        )

    def lines(self, items: list[dict[str, Any]], path: tuple[Any, ...]) -> tuple[LineDef, ...]:
        out = []
        for j, item in enumerate(items):
            value = self.template(item["value"], (*path, j, "value"))
            if value is not None:
                out.append(LineDef(item["label"], value,
                                   self.expr(item.get("when"), (*path, j, "when")),
                                   self.source.line((*path, j))))
        return tuple(out)

    def receipt(self, name: str, raw: dict[str, Any]) -> ReceiptTemplate:
        path = ("templates", "receipts", name)
        return ReceiptTemplate(
            name=name, title=raw["title"], lines=self.lines(raw["lines"], (*path, "lines")),
            notes=tuple(raw.get("notes", ())), qr=self.template(raw.get("qr"), (*path, "qr")),
            footer=raw.get("footer"), table_rows=raw.get("table_rows", 0),
            line=self.source.line(path),
        )

    def certificate(self, name: str, raw: dict[str, Any]) -> CertificateTemplate:
        path = ("templates", "certificates", name)
        return CertificateTemplate(
            name=name, kind=raw["kind"], title=raw.get("title"),
            fields=self.lines(raw.get("fields", []), (*path, "fields")),
            notes=tuple(raw.get("notes", ())),
            case_number=self.expr(raw.get("case_number"), (*path, "case_number")),
            line=self.source.line(path),
        )

    def references(self, steps: dict[str, StepDef], receipts: Mapping[str, Any],
                   certificates: Mapping[str, Any], devices: tuple[str, ...]) -> None:
        index = {sid: i for i, sid in enumerate(steps)}
        keys: set[str] = set()
        for sid, step in steps.items():
            path = ("steps", index[sid])
            for j, t in enumerate(step.next):
                if t.target != END and t.target not in steps:
                    where = (*path, "next") if len(step.next) == 1 else (*path, "next", j)
                    self.problem(where, f"step {sid!r}: next step {t.target!r} does not exist")
            if step.next and step.next[-1].when is not None:
                self.problem((*path, "next"),
                             f"step {sid!r}: the last transition needs no 'when' (a default)")
            self._required_params(step, path)
            if step.receipt and step.receipt not in receipts:
                self.problem((*path, "receipt"),
                             f"receipt template {step.receipt!r} does not exist")
            if step.certificate and step.certificate not in certificates:
                self.problem((*path, "certificate"),
                             f"certificate template {step.certificate!r} does not exist")
            needed = STEP_DEVICES.get(step.type)
            if step.type in ("records", "result") and step.receipt:
                needed = "receipt_printer"
            if needed and needed not in devices:
                self.problem(path, f"step {sid!r} prints: list {needed!r} in devices or "
                                   "optional_devices")
            if step.type == "capture" and not ({"camera", "scanner"} & set(devices)):
                self.problem(path, f"step {sid!r} captures: list 'camera' or 'scanner' in devices")
            for j, f in enumerate(step.fields):
                if f.key in keys:
                    self.problem((*path, "fields", j, "key"), f"duplicate answer key {f.key!r}")
                keys.add(f.key)

    def _required_params(self, step: StepDef, path: tuple[Any, ...]) -> None:
        needs = {
            "choose": ("key", "options"), "form": ("fields",), "capture": ("material",),
            "licence": ("materials",), "records": ("source",), "print_receipt": ("receipt",),
            "licence_copy": ("options",),
        }.get(step.type, ())
        reissue = step.reissue is not None
        if step.type == "print_certificate" and bool(step.certificate) == reissue:
            self.problem(path, f"step {step.id!r} of type print_certificate needs either "
                               "'certificate' or 'reissue'")
        for name in needs:
            if not getattr(step, name):
                self.problem(path, f"step {step.id!r} of type {step.type} needs {name!r}")
        if step.type == "records" and step.source == "case_progress" and step.case_number is None:
            self.problem(path, f"step {step.id!r}: source case_progress needs 'case_number'")

"""A restricted expression language for flow conditions, validation rules and template values.

Flow definitions arrive from a central admin, so their expressions are untrusted text. They are
parsed with `ast.parse(mode="eval")` and checked against an allow-list of node types *before*
anything runs; evaluation walks the checked tree itself (never `eval`/`exec`/`compile` to code).

What an expression may use:
- literals (str, int, float, bool, None), lists and tuples of them;
- names bound by the engine (``identity``, ``answers``, ``profile``, ``data``, ...) and a few
  safe functions (`FUNCTIONS`);
- ``a.b`` and ``a["b"]`` only look up keys of plain mappings (never ``getattr``), and keys
  starting with ``_`` are refused; ``a[0]`` indexes lists, tuples and strings;
- arithmetic, comparisons, ``and``/``or``/``not``, ``x if c else y``, ``in``.

Everything else (lambda, comprehensions, f-strings, ``%`` on strings, calls of anything but a
listed function, keyword arguments, starred arguments, walrus...) is refused with an
`ExpressionError` naming what was refused. Sizes are bounded: source length, node count,
nesting depth, exponent, integer magnitude and result length.

Evaluation runs under a `Budget` (docs/adr/0420): every operand is sized *before* the operation
runs (a power's exponent, ``round``'s digits, the cells a list product or a comparison would
touch, the text a function would print), and the walk counts its steps and watches a wall-clock
deadline. An expression over budget is refused with `ExpressionBudgetError`, never left running:
the largest operation the budget lets through costs about a millisecond.
"""

from __future__ import annotations

import ast
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from identifiers.masking import mask_id_number
from identifiers.resident_id import id_number_valid

MAX_SOURCE_CHARS = 400
MAX_NODES = 160
MAX_DEPTH = 24
MAX_EXPONENT = 64
MAX_INT_DIGITS = 30
MAX_SEQUENCE_LENGTH = 2000  # strings and lists produced by + and *
#: ``round(x, n)``: |n| above this only costs time (a float has 17 significant digits, an int
#: here at most `MAX_INT_DIGITS`); CPython's int rounding to -10**8 digits runs for minutes.
MAX_ROUND_DIGITS = MAX_INT_DIGITS


class ExpressionError(ValueError):
    """An expression was refused (at check time) or failed (at evaluation time)."""


class ExpressionBudgetError(ExpressionError):
    """An expression went over its `Budget` (operand size, steps or wall time)."""


@dataclass(frozen=True, slots=True)
class Budget:
    """What one evaluation may spend.

    ``max_cells``: elements (counted through nested lists and mappings) of any list built or
    compared, and of any value handed to a function; ``max_steps``: tree nodes visited;
    ``max_seconds``: wall time of the whole evaluation, checked at every step.
    """

    max_cells: int = 10_000
    max_steps: int = 5_000
    max_seconds: float = 0.25


#: The budget of every evaluation unless the caller passes another.
DEFAULT_BUDGET = Budget()


# ---------------------------------------------------------------- safe functions


def _today() -> date:
    return date.today()


def _parse_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        for fmt in ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d"):
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                continue
    return None


def age_from_birth_date(birth: Any, on: Any = None) -> int:
    """Whole years between a birth date (date or 'YYYY-MM-DD'/'YYYYMMDD') and ``on`` (today)."""
    born = _parse_date(birth)
    when = _parse_date(on) if on is not None else date.today()
    if born is None or when is None:
        return -1
    years = when.year - born.year
    if (when.month, when.day) < (born.month, born.day):
        years -= 1
    return years


def is_id_number(value: Any) -> bool:
    """True for an 18-character resident ID number with a correct GB 11643 check character."""
    return id_number_valid(value)


_PHONE_RE = re.compile(r"1[3-9]\d{9}")


def is_phone(value: Any) -> bool:
    """True for a mainland mobile number (11 digits starting 13-19)."""
    return isinstance(value, str) and _PHONE_RE.fullmatch(value) is not None


def is_date(value: Any) -> bool:
    """True when ``value`` parses as a date."""
    return _parse_date(value) is not None


def is_digits(value: Any) -> bool:
    """True for a non-empty string of ASCII digits."""
    return isinstance(value, str) and value.isascii() and value.isdigit()


def mask(value: Any) -> str:
    """Mask an identifier for printing: keep the first six and last four characters."""
    if not (value is None or isinstance(value, (str, int, float, bool))):
        raise ExpressionError("mask() takes text or a number")
    return mask_id_number(str(value or ""))


def _text(value: Any) -> str:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise ExpressionError("str() only converts plain values")


def _number(kind: type, value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_INT_DIGITS + 10:
        raise ExpressionError("number text too long")
    if not isinstance(value, (str, int, float, bool)):
        raise ExpressionError(f"{kind.__name__}() only converts plain values")
    try:
        return kind(value)
    except (TypeError, ValueError) as exc:
        raise ExpressionError("cannot convert that text to a number") from exc


def _round(value: Any, digits: Any = None) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ExpressionError("round() needs a number")
    if digits is None:
        return round(value)
    if isinstance(digits, bool) or not isinstance(digits, int):
        raise ExpressionError("round(): the number of digits must be a whole number")
    if abs(digits) > MAX_ROUND_DIGITS:
        raise ExpressionBudgetError(f"round(): at most {MAX_ROUND_DIGITS} digits")
    return round(value, digits)


def _len(value: Any) -> int:
    if not isinstance(value, (str, list, tuple, dict)):
        raise ExpressionError("len() needs a string, list or mapping")
    return len(value)


def add_days(value: Any, days: Any) -> str:
    """The date ``days`` after ``value`` as YYYY-MM-DD ("" when not a date; |days| <= 3660)."""
    parsed = _parse_date(value)
    if parsed is None or isinstance(days, bool) or not isinstance(days, int):
        return ""
    if abs(days) > 3660:
        raise ExpressionError("add_days: at most ten years")
    return (parsed + timedelta(days=days)).isoformat()


def _date_text(value: Any) -> str:
    parsed = _parse_date(value)
    return parsed.isoformat() if parsed else ""


#: The only callables an expression can reach, by name.
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "len": _len,
    "str": _text,
    "int": lambda v: _number(int, v),
    "float": lambda v: _number(float, v),
    "abs": abs,
    "min": min,
    "max": max,
    "round": _round,
    "today": _today,
    "date": _date_text,
    "add_days": add_days,
    "age_from_birth_date": age_from_birth_date,
    "is_id_number": is_id_number,
    "is_phone": is_phone,
    "is_date": is_date,
    "is_digits": is_digits,
    "mask": mask,
}

_BIN_OPS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Mod: lambda a, b: a % b,
    ast.Pow: lambda a, b: a**b,
}
_CMP_OPS = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}
_ALLOWED_NODES = (
    ast.Expression, ast.Constant, ast.Name, ast.Load, ast.Attribute, ast.Subscript,
    ast.List, ast.Tuple, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub,
    ast.UAdd, ast.BinOp, ast.Compare, ast.IfExp, ast.Call, *_BIN_OPS, *_CMP_OPS,
)
_REFUSED_NAMES = {
    ast.Lambda: "lambda", ast.ListComp: "comprehensions", ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions", ast.GeneratorExp: "generator expressions",
    ast.JoinedStr: "f-strings", ast.FormattedValue: "f-strings", ast.Starred: "starred arguments",
    ast.NamedExpr: "assignment expressions", ast.Await: "await", ast.Yield: "yield",
    ast.YieldFrom: "yield", ast.Dict: "dict literals", ast.Set: "set literals",
    ast.Slice: "slices",
}


@dataclass(frozen=True, slots=True)
class Expression:
    """A checked expression, ready to evaluate many times against different bindings."""

    source: str
    tree: ast.Expression

    def evaluate(self, names: Mapping[str, Any], on: date | None = None,
                 budget: Budget = DEFAULT_BUDGET) -> Any:
        """Evaluate against ``names`` (the bound data); ``on`` fixes today's date (tests).

        Raises `ExpressionError` when the expression fails on this data, and
        `ExpressionBudgetError` when it would spend more than ``budget``.
        """
        try:
            return _Evaluator(names, on, budget).eval(self.tree.body)
        except ExpressionError:
            raise
        except RecursionError as exc:  # pragma: no cover - depth is bounded at check time
            raise ExpressionError("expression too deep") from exc
        except MemoryError as exc:
            raise ExpressionBudgetError(f"{self.source!r} needs too much memory") from exc
        except (TypeError, ValueError, ZeroDivisionError, KeyError, IndexError,
                OverflowError) as exc:
            raise ExpressionError(f"cannot evaluate {self.source!r}: {type(exc).__name__}") from exc

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"


def compile_expression(source: str, names: frozenset[str] | set[str] | None = None) -> Expression:
    """Parse and check ``source``; ``names`` (if given) are the names it may refer to."""
    if not isinstance(source, str):
        raise ExpressionError("an expression must be text")
    if len(source) > MAX_SOURCE_CHARS:
        raise ExpressionError(f"expression longer than {MAX_SOURCE_CHARS} characters")
    if "__" in source:
        raise ExpressionError("double underscores are not allowed")
    _check_brackets(source)
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"syntax error in {source!r}: {exc.msg}") from exc
    except (ValueError, RecursionError, MemoryError) as exc:
        raise ExpressionError(f"cannot parse {source!r}") from exc
    _check(tree, names)
    return Expression(source=source, tree=tree)


def _check_brackets(source: str) -> None:
    """Refuse bracket nesting deeper than `MAX_DEPTH` before the parser sees it."""
    depth = 0
    for char in source:
        if char in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                raise ExpressionError(f"expression nested deeper than {MAX_DEPTH}")
        elif char in ")]}":
            depth -= 1


def _check(tree: ast.Expression, names: frozenset[str] | set[str] | None) -> None:
    count = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise ExpressionError(f"expression has more than {MAX_NODES} parts")
        if depth > MAX_DEPTH:
            raise ExpressionError(f"expression nested deeper than {MAX_DEPTH}")
        refused = _REFUSED_NAMES.get(type(node))
        if refused:
            raise ExpressionError(f"{refused} are not allowed")
        if not isinstance(node, _ALLOWED_NODES):
            raise ExpressionError(f"{type(node).__name__} is not allowed")
        if isinstance(node, ast.Constant) and not (
            node.value is None or isinstance(node.value, (str, int, float, bool))
        ):
            raise ExpressionError("only text, number, boolean and None literals are allowed")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and (
            len(node.value) > MAX_SEQUENCE_LENGTH
        ):
            raise ExpressionError("text literal too long")
        if isinstance(node, ast.Constant) and isinstance(node.value, int) and (
            abs(node.value) >= 10**MAX_INT_DIGITS
        ):
            raise ExpressionError("number literal too large")
        if isinstance(node, ast.Name):
            if node.id.startswith("_"):
                raise ExpressionError(f"name {node.id!r} is not allowed")
            if node.id not in FUNCTIONS and names is not None and node.id not in names:
                raise ExpressionError(f"unknown name {node.id!r}")
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            raise ExpressionError(f"field {node.attr!r} is not allowed")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                raise ExpressionError("only the listed functions may be called: "
                                      + ", ".join(sorted(FUNCTIONS)))
            if node.keywords:
                raise ExpressionError("keyword arguments are not allowed")
            if len(node.args) > 4:
                raise ExpressionError("too many arguments")
        for child in ast.iter_child_nodes(node):
            if isinstance(node, ast.Call) and child is node.func:
                continue
            stack.append((child, depth + 1))
    _check_function_names_only_called(tree)


def _check_function_names_only_called(tree: ast.Expression) -> None:
    callees = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in FUNCTIONS and id(node) not in callees:
            raise ExpressionError(f"function {node.id!r} can only be called")


def _plain(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool, list, tuple, dict, date))


def _bounded(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and (
        abs(value) >= 10**MAX_INT_DIGITS
    ):
        raise ExpressionError("number too large")
    if isinstance(value, float) and (value != value or abs(value) > 1e30):
        raise ExpressionError("number too large")
    if isinstance(value, complex):
        raise ExpressionError("the result is not a real number")
    if isinstance(value, (str, list, tuple)) and len(value) > MAX_SEQUENCE_LENGTH:
        raise ExpressionError("result too long")
    return value


def _cells(value: Any, limit: int) -> int:
    """Elements of ``value`` counted through nested lists and mappings (a list repeated inside
    another counts each time), stopping as soon as the count passes ``limit``."""
    count = 0
    stack = [value]
    while stack and count <= limit:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            count += len(item)
            if count <= limit:
                stack.extend(item)
        elif isinstance(item, Mapping):
            count += len(item)
            if count <= limit:
                stack.extend(item.values())
    return count


class _Evaluator:
    """Walks a checked tree. Only plain data flows through it, and only within the budget."""

    __slots__ = ("budget", "deadline", "names", "on", "steps")

    def __init__(self, names: Mapping[str, Any], on: date | None, budget: Budget) -> None:
        self.names = names
        self.on = on
        self.budget = budget
        self.steps = 0
        self.deadline = time.monotonic() + budget.max_seconds

    def _spend(self) -> None:
        self.steps += 1
        if self.steps > self.budget.max_steps:
            raise ExpressionBudgetError(f"expression took more than {self.budget.max_steps} "
                                        "steps")
        if time.monotonic() > self.deadline:
            raise ExpressionBudgetError(f"expression ran longer than "
                                        f"{self.budget.max_seconds:g} s")

    def _sized(self, *values: Any) -> None:
        """Refuse operands that together hold more than the budget's cells."""
        limit = self.budget.max_cells
        total = 0
        for value in values:
            total += _cells(value, limit - total)
            if total > limit:
                raise ExpressionBudgetError(f"values larger than {limit} elements")

    def eval(self, node: ast.AST) -> Any:
        self._spend()
        match node:
            case ast.Constant(value=value):
                return value
            case ast.Name(id=name):
                if name in self.names:
                    return self.names[name]
                raise ExpressionError(f"unknown name {name!r}")
            case ast.Attribute(value=base, attr=attr):
                return self._lookup(self.eval(base), attr)
            case ast.Subscript(value=base, slice=index):
                return self._lookup(self.eval(base), self.eval(index))
            case ast.List(elts=elts) | ast.Tuple(elts=elts):
                items = [self.eval(e) for e in elts]
                self._sized(items)
                return items
            case ast.BoolOp(op=ast.And(), values=values):
                result: Any = True
                for v in values:
                    result = self.eval(v)
                    if not result:
                        return result
                return result
            case ast.BoolOp(op=ast.Or(), values=values):
                result = False
                for v in values:
                    result = self.eval(v)
                    if result:
                        return result
                return result
            case ast.UnaryOp(op=ast.Not(), operand=operand):
                return not self.eval(operand)
            case ast.UnaryOp(op=ast.USub(), operand=operand):
                return -self._num(self.eval(operand))
            case ast.UnaryOp(op=ast.UAdd(), operand=operand):
                return +self._num(self.eval(operand))
            case ast.BinOp(left=left, op=op, right=right):
                return self._binop(op, self.eval(left), self.eval(right))
            case ast.Compare(left=left, ops=ops, comparators=comparators):
                current = self.eval(left)
                for cmp_op, comp in zip(ops, comparators, strict=True):
                    other = self.eval(comp)
                    if isinstance(current, (list, tuple)) and isinstance(other, (list, tuple)):
                        self._sized(current, other)  # list against list: cost ~ their cells
                    if isinstance(cmp_op, (ast.In, ast.NotIn)) and not isinstance(
                        other, (str, list, tuple, dict)
                    ):
                        raise ExpressionError("'in' needs text, a list or a mapping")
                    if not _CMP_OPS[type(cmp_op)](current, other):
                        return False
                    current = other
                return True
            case ast.IfExp(test=test, body=body, orelse=orelse):
                return self.eval(body) if self.eval(test) else self.eval(orelse)
            case ast.Call(func=ast.Name(id=fname), args=args):
                arguments: list[Any] = [self.eval(a) for a in args]
                if not all(_plain(v) for v in arguments):
                    raise ExpressionError("functions take plain values only")
                if self.on is not None and fname == "today":
                    return self.on
                if self.on is not None and fname == "age_from_birth_date" and len(
                    arguments
                ) == 1:
                    arguments.append(self.on)
                return _bounded(FUNCTIONS[fname](*arguments))
        raise ExpressionError(f"{type(node).__name__} is not allowed")  # checked earlier

    @staticmethod
    def _num(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ExpressionError("arithmetic needs numbers")
        return value

    @staticmethod
    def _lookup(base: Any, key: Any) -> Any:
        if isinstance(base, Mapping):
            if isinstance(key, str) and key.startswith("_"):
                raise ExpressionError(f"field {key!r} is not allowed")
            if key not in base:
                return None  # missing data reads as None: conditions stay simple
            return base[key]
        if isinstance(base, (list, tuple, str)) and isinstance(key, int) and not isinstance(
            key, bool
        ):
            return base[key] if -len(base) <= key < len(base) else None
        if base is None:
            return None
        raise ExpressionError("only data fields can be looked up")

    def _binop(self, op: ast.operator, left: Any, right: Any) -> Any:
        numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool)
                      for v in (left, right))
        if isinstance(op, ast.Add):
            if numbers or (isinstance(left, str) and isinstance(right, str)):
                return _bounded(left + right)
            if isinstance(left, list) and isinstance(right, list):
                self._sized(left, right)
                return _bounded(left + right)
            raise ExpressionError("'+' needs two numbers, two texts or two lists")
        if isinstance(op, ast.Mult):
            if numbers:
                return _bounded(left * right)
            seq, count = (left, right) if isinstance(left, (str, list)) else (right, left)
            if isinstance(seq, (str, list)) and isinstance(count, int) and not isinstance(
                count, bool
            ):
                if len(seq) * max(count, 0) > MAX_SEQUENCE_LENGTH:
                    raise ExpressionError("result too long")
                if isinstance(seq, list):
                    limit = self.budget.max_cells
                    if _cells(seq, limit) * max(count, 0) > limit:
                        raise ExpressionBudgetError(f"values larger than {limit} elements")
                return seq * count
            raise ExpressionError("'*' needs numbers (or text times a small number)")
        if not numbers:
            raise ExpressionError("arithmetic needs numbers (no text formatting with %)")
        if isinstance(op, ast.Pow):
            if abs(right) > MAX_EXPONENT:
                raise ExpressionError(f"exponent larger than {MAX_EXPONENT}")
            if abs(left) >= 10**6 and right > 4:
                raise ExpressionError("power too large")
        return _bounded(_BIN_OPS[type(op)](left, right))


# ---------------------------------------------------------------- templates

_PLACEHOLDER_RE = re.compile(r"\{\{(.*?)\}\}", re.S)


@dataclass(frozen=True, slots=True)
class Template:
    """Text with ``{{ expression }}`` placeholders, checked once, rendered many times."""

    source: str
    parts: tuple[str | Expression, ...]

    def render(self, names: Mapping[str, Any], on: date | None = None) -> str:
        """Render with ``names`` (``on`` fixes today's date); None renders as empty text."""
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            else:
                value = part.evaluate(names, on)
                out.append(_display(value))
        return "".join(out)

    @property
    def constant(self) -> bool:
        """True when the text has no placeholder."""
        return all(isinstance(p, str) for p in self.parts)


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, (list, tuple)):
        return "、".join(_display(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        raise ExpressionError("a placeholder must produce a value, not a mapping")
    return str(value)


def compile_template(source: str, names: frozenset[str] | set[str] | None = None) -> Template:
    """Check every ``{{ ... }}`` placeholder of ``source``."""
    if not isinstance(source, str):
        raise ExpressionError("a template must be text")
    parts: list[str | Expression] = []
    pos = 0
    for match in _PLACEHOLDER_RE.finditer(source):
        if match.start() > pos:
            parts.append(source[pos:match.start()])
        parts.append(compile_expression(match.group(1).strip(), names))
        pos = match.end()
    if pos < len(source):
        parts.append(source[pos:])
    if any(isinstance(p, str) and ("{{" in p or "}}" in p) for p in parts):
        raise ExpressionError("unbalanced {{ }} in template")
    return Template(source=source, parts=tuple(parts))

"""Hostile expressions (a flow definition is untrusted data): every one is refused clearly.

Each case is refused either when the expression is checked (`compile_expression`, as lint and
the loader do) or when it is evaluated against bound data; never executed, never a crash.
"""

from __future__ import annotations

import contextlib
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.expressions import (
    ExpressionError,
    compile_expression,
    compile_template,
)

NAMES = {"answers": {"name": "张三", "n": 3}, "identity": {"birth_date": "1950-01-01"},
         "data": {"list": [1, 2, 3]}}

HOSTILE = {
    # imports and builtins
    "import": "__import__('os').system('id')",
    "import_no_underscore_check": "__builtins__",
    "eval": "eval('1+1')",
    "exec": "exec('x=1')",
    "open": "open('/etc/passwd').read()",
    "getattr": "getattr(answers, 'keys')",
    "globals": "globals()",
    "compile": "compile('1', 'f', 'eval')",
    "type": "type(answers)",
    # attribute walking
    "class_bases": "().__class__.__bases__[0].__subclasses__()",
    "mro": "''.__class__.__mro__",
    "func_globals": "len.__self__",
    "dunder_via_subscript": "answers['__class__']",
    "private_field": "answers._secret",
    "method_call": "answers.keys()",
    "str_method": "'abc'.upper()",
    "attribute_on_text": "answers.name.encode",
    # code constructs
    "lambda": "(lambda: 1)()",
    "lambda_bare": "lambda x: x",
    "list_comprehension": "[x for x in data.list]",
    "nested_comprehension": "[[y for y in range(10**6)] for x in range(10**6)]",
    "generator": "sum(x for x in data.list)",
    "dict_comprehension": "{x: x for x in data.list}",
    "set_literal": "{1, 2}",
    "dict_literal": "{'a': 1}",
    "walrus": "(x := 1)",
    "starred": "max(*data.list)",
    "keyword_args": "round(1.5, ndigits=1)",
    "slice": "answers.name[::-1]",
    "await": "await x",
    "yield": "(yield 1)",
    "statement": "x = 1",
    "semicolon": "1; 2",
    # resource exhaustion
    "huge_power": "9 ** 9 ** 9",
    "power_big_exponent": "2 ** 100000",
    "power_negative_huge": "2 ** -100000",
    "big_base_power": "(10 ** 20) ** 10",
    "string_bomb": "'a' * 10 ** 9",
    "list_bomb": "[1] * 10 ** 8",
    "concat_bomb": "'x' * 1000 + 'x' * 1000 + 'x' * 1000",
    "big_literal": "1" + "0" * 40,
    "deep_nesting": "(" * 60 + "1" + ")" * 60,
    "deep_unary": "-" * 200 + "1",
    "many_nodes": " + ".join(["1"] * 200),
    "long_source": "answers.name == '" + "x" * 500 + "'",
    # string formatting tricks
    "format_method": "'{0.__class__}'.format(answers)",
    "format_attr": "'{a.__init__.__globals__}'.format(a=answers)",
    "percent_format": "'%s' % answers",
    "fstring": "f'{answers}'",
    "fstring_conversion": "f'{answers!r}'",
    # calling non-functions
    "call_data": "answers()",
    "call_subscript": "data['list'][0]()",
    "call_attribute": "answers.name()",
    "unknown_function": "system('id')",
    "function_as_value": "len",
    "function_in_list": "[len, max][0]('abc')",
    # escapes via names
    "underscore_name": "_",
    "dunder_name": "__name__",
    "unknown_name": "os",
    # bad literals
    "bytes_literal": "b'abc'",
    "ellipsis": "...",
    "complex_literal": "1j",
}


@pytest.mark.parametrize("source", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_expression_is_refused(source: str) -> None:
    started = time.process_time()
    with pytest.raises(ExpressionError) as refused:
        expression = compile_expression(source, frozenset(NAMES))
        expression.evaluate(NAMES)
    message = str(refused.value)
    assert message and "Traceback" not in message
    # refused quickly: nothing big was built (generous bound; this is not a timing test)
    assert time.process_time() - started < 5


@pytest.mark.parametrize("source", [
    "{{ '{0.__class__}'.format(answers) }}",
    "{{ answers.__dict__ }}",
    "{{ (lambda: 1)() }}",
    "Hello {{ answers.name ",
    "{{ }}",
])
def test_hostile_template_is_refused(source: str) -> None:
    with pytest.raises(ExpressionError):
        template = compile_template(source, frozenset(NAMES))
        template.render(NAMES)


def test_refusal_messages_say_what_was_refused() -> None:
    cases = {
        "(lambda: 1)()": "",
        "[x for x in data.list]": "comprehensions",
        "2 ** 100000": "exponent",
        "().__class__": "underscore",
        "answers.keys()": "listed functions",
        "'%s' % answers": "numbers",
        "os": "unknown name",
    }
    for source, expected in cases.items():
        with pytest.raises(ExpressionError) as refused:
            compile_expression(source, frozenset(NAMES)).evaluate(NAMES)
        assert expected in str(refused.value), (source, str(refused.value))


def test_allowed_expressions_still_work() -> None:
    assert compile_expression("age_from_birth_date(identity.birth_date, '2026-11-21') >= 65") \
        .evaluate(NAMES) is True
    assert compile_expression("len(answers.name) == 2 and answers.n * 2 == 6").evaluate(NAMES)
    assert compile_expression("data.list[1] if answers.n > 2 else 0").evaluate(NAMES) == 2
    assert compile_expression("answers.missing").evaluate(NAMES) is None
    assert compile_expression("2 ** 10").evaluate(NAMES) == 1024
    assert compile_expression("'ab' * 3").evaluate(NAMES) == "ababab"
    assert compile_template("{{ answers.name }}：{{ answers.n + 1 }}").render(NAMES) == "张三：4"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_arbitrary_text_never_crashes_the_checker(source: str) -> None:
    with contextlib.suppress(ExpressionError):
        compile_expression(source, frozenset(NAMES)).evaluate(NAMES)


_ATOMS = st.sampled_from(["1", "2", "'a'", "answers.n", "answers.name", "data.list", "9",
                          "len(answers.name)", "None", "True", "identity.birth_date"])
_OPS = st.sampled_from([" + ", " - ", " * ", " ** ", " // ", " % ", " / ", " == ", " < ",
                        " and ", " or ", " in "])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_ATOMS, _OPS), min_size=1, max_size=12), _ATOMS)
def test_generated_expressions_only_raise_expression_errors(parts: list[tuple[str, str]],
                                                            last: str) -> None:
    source = "".join(a + o for a, o in parts) + last
    with contextlib.suppress(ExpressionError):
        compile_expression(source, frozenset(NAMES)).evaluate(NAMES)

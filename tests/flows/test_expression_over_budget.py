"""Hostile expressions that the allow-list accepts but that would run for minutes or build
gigabytes: each kind is refused by the evaluator's budget, quickly, with a plain reason.

Kinds: huge exponents, ``round`` with huge digit counts, long text repeats, nested list products
(billions of cells from a few characters), comparisons and function calls over such lists,
non-real results; and the budget's own steps and wall-time limits.
"""

from __future__ import annotations

import time
import tracemalloc

import pytest

from flows.expressions import (
    Budget,
    ExpressionBudgetError,
    ExpressionError,
    compile_expression,
    compile_template,
)

NAMES = {"answers": {"n": 3, "name": "张三"}, "data": {"list": [1, 2, 3]}}

OVER_BUDGET = {
    # round: CPython's int rounding to -10**8 digits computes 10**(10**8) (minutes)
    "round_negative_huge_digits": ("round(1, -10**29)", "round"),
    "round_negative_large_digits": ("round(answers.n, -10**8)", "round"),
    "round_positive_huge_digits": ("round(1.5, 10**29)", "round"),
    # exponents
    "tower_of_powers": ("9 ** 9 ** 9", "exponent"),
    "power_of_big_base": ("999999 ** 64", "too large"),
    "power_result_chained": ("(2 ** 64) ** 2 ** 6", "power too large"),
    # text
    "text_repeat": ("'x' * 10 ** 9", "too long"),
    "text_repeat_growing": ("('x' * 2000) * 2000", "too long"),
    "text_concat_chain": ("'x' * 1500 + 'x' * 1500", "too long"),
    # lists: a few characters that describe billions of cells
    "nested_list_product": ("[[[1] * 2000] * 2000] * 2000", "elements"),
    "nested_list_literal": ("[[1] * 2000, [1] * 2000, [1] * 2000, [1] * 2000, [1] * 2000,"
                            " [1] * 2000]", "elements"),
    "nested_list_concat": ("[[1] * 2000] * 4 + [[1] * 2000] * 4", "elements"),
    "compare_nested_lists": ("[[[1] * 20] * 2000] * 2 == [[[1] * 20] * 2000] * 2", "elements"),
    "mask_of_a_nested_list": ("mask([[[1] * 2000] * 2000] * 2000)", "elements"),
    "str_of_a_list": ("str([1] * 2000)", "str()"),
    # results that are not plain numbers
    "complex_power": ("(-8) ** 0.5", "real"),
    "float_overflow": ("1e30 * 1e30", "too large"),
}


@pytest.mark.parametrize("case", list(OVER_BUDGET), ids=list(OVER_BUDGET))
def test_expression_over_budget_is_refused_quickly(case: str) -> None:
    source, reason = OVER_BUDGET[case]
    tracemalloc.start()
    started = time.process_time()
    try:
        with pytest.raises(ExpressionError) as refused:
            compile_expression(source, frozenset(NAMES)).evaluate(NAMES)
        cpu_seconds = time.process_time() - started
        _, peak_bytes = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert reason in str(refused.value), str(refused.value)
    assert "Traceback" not in str(refused.value)
    # refused before the work: nothing big was built (generous bounds, not a timing test)
    assert peak_bytes < 5 * 1024 * 1024
    assert cpu_seconds < 2


def test_budget_refusals_are_budget_errors() -> None:
    for source in ("round(1, -10**29)", "[[[1] * 2000] * 2000] * 2000"):
        with pytest.raises(ExpressionBudgetError):
            compile_expression(source).evaluate({})


def test_step_budget() -> None:
    expression = compile_expression(" and ".join(["1"] * 40))
    assert expression.evaluate({}) == 1
    with pytest.raises(ExpressionBudgetError, match="steps"):
        expression.evaluate({}, budget=Budget(max_steps=20))


def test_wall_time_budget() -> None:
    expression = compile_expression("1 + 1")
    with pytest.raises(ExpressionBudgetError, match="longer than"):
        expression.evaluate({}, budget=Budget(max_seconds=-1.0))


def test_over_budget_placeholder_is_refused_in_a_template() -> None:
    template = compile_template("应缴 {{ round(answers.n, -10**20) }} 元")
    with pytest.raises(ExpressionBudgetError):
        template.render(NAMES)


def test_what_flows_really_use_stays_within_budget() -> None:
    assert compile_expression("round(3.14159, 2)").evaluate({}) == 3.14
    assert compile_expression("round(answers.n * 1.5)").evaluate(NAMES) == 4
    assert compile_expression("round(12345, -2)").evaluate({}) == 12300
    assert compile_expression("[1] * 2000 == [1] * 2000").evaluate({}) is True
    assert compile_expression("len([[1] * 100] * 50)").evaluate({}) == 50
    assert compile_expression("mask('110105194912310021')").evaluate({}) == \
        "110105********0021"
    assert compile_expression("2 in data.list").evaluate(NAMES) is True

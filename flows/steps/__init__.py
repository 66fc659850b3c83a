"""The step library: one module per step kind, registered in one table.

`STEP_TYPES` maps each ``type`` a flow definition may use to its `StepType`; its keys are
exactly the schema's enum (tests/flows/test_step_kinds_match_schema.py). A new kind is a new
module here, a line below, and the schema's enum.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from flows.steps import (
    capture,
    check,
    choose,
    form,
    guide,
    identify,
    licence,
    licence_copy,
    message,
    print_certificate,
    print_receipt,
    rate,
    records,
    report,
    result,
    submit,
)
from flows.steps.base import StepType

STEP_TYPES: Mapping[str, StepType] = MappingProxyType({t.kind.value: t for t in (
    identify.STEP, choose.STEP, form.STEP, check.STEP, capture.STEP, licence.STEP, submit.STEP,
    result.STEP, records.STEP, print_certificate.STEP, print_receipt.STEP, guide.STEP,
    rate.STEP, report.STEP, message.STEP, licence_copy.STEP,
)})

__all__ = ["STEP_TYPES", "StepType"]

"""The step library: one module per step kind, registered in one table.

`STEP_TYPES` maps each ``type`` a flow definition may use (the schema's enum, checked by
tests/flows/test_step_kinds_match_schema.py) to its `StepType`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from flows.steps import message
from flows.steps.base import StepType

STEP_TYPES: Mapping[str, StepType] = MappingProxyType(
    {t.kind.value: t for t in (message.STEP,)}
)

__all__ = ["STEP_TYPES", "StepType"]

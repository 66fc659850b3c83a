"""A wire model named like a flow's port type (ADR 0480): ``Licence`` meant two things, the
platform's JSON and what a flow sees, and a wrong import type-checked. Every class of
kiosk.platform.models is ``Wire...``, none shares a name with flows.ports or flows.documents,
and none reads or writes JSON by hand."""

from __future__ import annotations

import inspect
from enum import Enum
from types import ModuleType

from pydantic import BaseModel

import kiosk.platform
from flows import documents, ports
from kiosk.platform import models


def _classes(module: ModuleType) -> dict[str, type]:
    return {
        name: value
        for name, value in vars(module).items()
        if inspect.isclass(value) and value.__module__ == module.__name__
    }


def test_every_wire_class_is_named_wire() -> None:
    public = [name for name in _classes(models) if not name.startswith("_")]
    assert public, "kiosk.platform.models defines the wire models"
    assert [name for name in public if not name.startswith("Wire")] == []


def test_no_wire_class_shares_a_name_with_a_port_type() -> None:
    flow_names = set(_classes(ports)) | set(_classes(documents))
    platform_names = set(_classes(models)) | {
        name for name in kiosk.platform.__all__ if inspect.isclass(getattr(kiosk.platform, name))
    }
    assert flow_names & platform_names == set()


def test_wire_models_are_pydantic_with_no_hand_written_json() -> None:
    for name, cls in _classes(models).items():
        assert issubclass(cls, BaseModel | Enum), name
        assert not hasattr(cls, "from_json") and not hasattr(cls, "to_json"), name

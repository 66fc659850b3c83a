"""Steps of the library not exercised by the built-in catalogue: guide, message, rate with
custom reasons, conditional options and transitions, defaults, optional capture."""

from __future__ import annotations

from flows.definition import parse_definition
from flows.engine import FlowRun
from flows.fixture_ports import FixturePorts
from flows.views import FieldKind, Intent, StepKind
from tests.flows.conftest import TODAY

DEFINITION = """\
schema: 1
id: library
version: "1.0"
category: 办理
kind: apply
title: {zh-CN: 步骤库示例, en: Step library}
devices: [receipt_printer]
optional_devices: [camera]
guide:
  conditions: {zh-CN: 条件, en: Conditions}
  materials: {zh-CN: 材料, en: Materials}
  time_limit: {zh-CN: 时限, en: Time limit}
  fees: {zh-CN: 收费, en: Fees}
  location: {zh-CN: 地点, en: Location}
  contact: {zh-CN: "12345", en: "12345"}
rating_reasons:
  - {zh-CN: 叫号太慢, en: Slow}
steps:
  - id: identify
    type: identify
  - id: guide
    type: guide
    text: {zh-CN: 办理前请阅读, en: Read first}
  - id: who
    type: choose
    key: who
    options:
      - {value: self, label: {zh-CN: 本人, en: Myself}}
      - {value: senior, label: {zh-CN: 老年人优待, en: Senior}, when: "identity.age >= 60"}
    next:
      - when: "answers.who == 'self'"
        goto: form
      - goto: notice
  - id: notice
    type: message
    title: {zh-CN: 老年人优先, en: Seniors first}
    text: {zh-CN: 请到1号窗口, en: Go to window 1}
    next: end
  - id: form
    type: form
    fields:
      - key: note
        label: {zh-CN: 备注, en: Note}
        required: false
        default: "{{ identity.display_name }}"
      - key: birth
        label: {zh-CN: 出生日期, en: Birth date}
        kind: date
        prefill: birth_date
  - id: photo
    type: capture
    optional: true
    material: {name: extra, label: {zh-CN: 其他材料, en: Other material}}
  - id: receipt
    type: print_receipt
    receipt: r
templates:
  receipts:
    r:
      title: {zh-CN: 凭条, en: Slip}
      lines:
        - label: {zh-CN: 备注, en: Note}
          value: "{{ answers.note }}"
        - label: {zh-CN: 仅老人, en: Seniors}
          value: "yes"
          when: "identity.age >= 60"
"""


def _run(birth: str = "1950-01-01") -> tuple[FlowRun, FixturePorts]:
    definition = parse_definition(DEFINITION, "library.yaml")
    ports = FixturePorts({"resident": {"name": "赵六", "id_number": "310110195802203322",
                                       "birth_date": birth, "display_name": "赵*"}})
    return FlowRun(definition, ports, today=TODAY), ports


def test_guide_step_then_conditional_options_and_transition() -> None:
    run, _ = _run()
    view = run.view()
    assert view.kind is StepKind.GUIDE and view.body == "办理前请阅读"
    assert [s.title for s in view.sections][-1] == "咨询电话"
    view = run.send(Intent("next"))
    assert [o.value for o in view.options] == ["self", "senior"]
    view = run.send(Intent("choose", "senior"))
    assert view.kind is StepKind.MESSAGE and view.title == "老年人优先"
    view = run.send(Intent("next"))
    assert view.kind is StepKind.RATE
    assert [o.label for o in view.field.options] == ["叫号太慢"]


def test_hidden_option_cannot_be_chosen() -> None:
    run, _ = _run(birth="1990-01-01")
    run.send(Intent("next"))
    view = run.view()
    assert [o.value for o in view.options] == ["self"]
    view = run.send(Intent("choose", "senior"))
    assert view.kind is StepKind.CHOOSE and view.error


def test_defaults_prefill_optional_capture_and_print_receipt() -> None:
    run, ports = _run()
    run.send(Intent("next"))
    view = run.send(Intent("choose", "self"))
    assert view.kind is StepKind.FORM and view.field.key == "note"
    assert view.field.value == "赵*" and not view.field.prefilled
    assert "skip" in {a.name for a in view.actions}
    view = run.send(Intent("next"))  # accepts the default; birth is prefilled from identity
    assert view.kind is StepKind.CAPTURE
    assert {a.name for a in view.actions} >= {"capture", "skip"}
    ports.fail["capture_document"] = 1
    view = run.send(Intent("capture"))
    assert view.error == "没有拍清楚，请把材料放平后重试"
    view = run.send(Intent("capture"))
    assert view.extra["captured"] and not view.error
    view = run.send(Intent("next"))
    assert view.kind is StepKind.PRINT_RECEIPT
    view = run.send(Intent("print"))
    assert view.outcome == "done"
    assert ports.printed_receipts[0].lines == (("备注", "赵*"), ("仅老人", "yes"))
    assert run.answers["birth"] == "1950-01-01" and "birth" in run.prefilled


def test_camera_down_explains_on_capture() -> None:
    run, ports = _run()
    ports.unusable["camera"] = "高拍仪故障"
    run.send(Intent("next"))
    run.send(Intent("choose", "self"))
    view = run.send(Intent("next"))
    assert view.kind is StepKind.CAPTURE
    view = run.send(Intent("capture"))
    assert view.error == "高拍仪故障"
    view = run.send(Intent("skip"))
    assert view.kind is StepKind.PRINT_RECEIPT


def test_field_kinds_reach_the_view() -> None:
    run, _ = _run()
    run.send(Intent("next"))
    run.send(Intent("choose", "self"))
    run.send(Intent("answer", "x"))
    run.send(Intent("back"))
    view = run.view()
    assert view.field.kind is FieldKind.TEXT and view.field.value == "x"

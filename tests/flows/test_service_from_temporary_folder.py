"""A new service is data only: written to a temporary folder, loaded, linted and run end to
end with no code change."""

from __future__ import annotations

from pathlib import Path

from flows.engine import FlowRun
from flows.fixture_ports import FixturePorts, load_fixtures
from flows.lint import lint_dir
from flows.services import Catalogue
from flows.views import Intent, StepKind
from tests.flows.conftest import TODAY

FLOW = """\
# 门前三包责任书申领: a made-up service added by a central admin, no code change.
schema: 1
id: shop-front-pledge
version: "0.1.0"
category: 办理
kind: apply
title: {zh-CN: 门前三包责任书申领, en: Shop-front responsibility pledge}
keywords: [门前三包, 商户, 责任书]
devices: [receipt_printer]
guide:
  conditions: {zh-CN: 沿街商户经营者。, en: Street-front shop owners.}
  materials: {zh-CN: 营业执照（电子证照）。, en: Business licence (electronic).}
  time_limit: {zh-CN: 即时办结。, en: Immediate.}
  fees: {zh-CN: 不收费。, en: Free.}
  location: {zh-CN: 街道城运中心。, en: The street office.}
steps:
  - id: identify
    type: identify
  - id: shop
    type: form
    fields:
      - key: shop_name
        label: {zh-CN: 店铺名称, en: Shop name}
        max_length: 40
      - key: staff
        label: {zh-CN: 从业人数, en: Staff}
        kind: digits
        validate:
          - rule: "int(value) >= 1 and int(value) <= 500"
            message: {zh-CN: 从业人数应在1到500之间, en: Between 1 and 500}
  - id: licence
    type: licence
    materials:
      - name: business-licence
        label: {zh-CN: 营业执照, en: Business licence}
        licence_types: [business-licence]
  - id: check
    type: check
  - id: submit
    type: submit
  - id: result
    type: result
    next:
      - when: "outcome == 'refused'"
        goto: end
      - goto: receipt
  - id: receipt
    type: print_receipt
    receipt: pledge
templates:
  receipts:
    pledge:
      title: {zh-CN: 门前三包责任书回执, en: Pledge receipt}
      lines:
        - label: {zh-CN: 店铺, en: Shop}
          value: "{{ answers.shop_name }}"
        - label: {zh-CN: 从业人数, en: Staff}
          value: "{{ answers.staff }}人"
        - label: {zh-CN: 办件编号, en: Case}
          value: "{{ case_number }}"
"""

FIXTURES = """\
resident: {name: 赵六, id_number: "310110195802203322", birth_date: "1958-02-20"}
licences:
  - {licence_id: "1.2.156.3005.2.9", type: business-licence, title: 营业执照, issuer: 市场监管局}
application: {case_number: "MQ0001", status: approved}
answers: {shop_name: 赵记面馆, staff: "6"}
"""


def test_new_service_from_a_folder_runs_end_to_end(tmp_path: Path) -> None:
    folder = tmp_path / "shop-front-pledge"
    folder.mkdir()
    (folder / "flow.yaml").write_text(FLOW, encoding="utf-8")
    (folder / "fixtures.yaml").write_text(FIXTURES, encoding="utf-8")

    assert lint_dir(tmp_path) == []
    catalogue = Catalogue.load(tmp_path)
    entry = catalogue.get("shop-front-pledge")
    assert entry is not None and entry.available
    assert catalogue.search("mqsb") == [entry]

    ports = FixturePorts(load_fixtures(folder))
    run = FlowRun(entry.definition, ports, today=TODAY)
    view = run.view()
    assert view.kind is StepKind.FORM and view.field.key == "shop_name"
    view = run.send(Intent("answer", "赵记面馆"))
    view = run.send(Intent("answer", "0"))
    assert view.error == "从业人数应在1到500之间"
    view = run.send(Intent("answer", "6"))
    assert view.kind is StepKind.LICENCE and view.options[0].selected
    view = run.send(Intent("next"))
    assert view.kind is StepKind.CHECK
    view = run.send(Intent("confirm"))
    assert view.kind is StepKind.SUBMIT
    view = run.send(Intent("submit"))
    assert view.kind is StepKind.RESULT and view.outcome == "approved"
    assert view.reference == "MQ0001"
    view = run.send(Intent("next"))
    assert view.kind is StepKind.PRINT_RECEIPT
    view = run.send(Intent("print"))
    assert view.outcome == "done"
    assert ports.printed_receipts[0].lines == (("店铺", "赵记面馆"), ("从业人数", "6人"),
                                               ("办件编号", "MQ0001"))
    view = run.send(Intent("next"))
    assert view.kind is StepKind.RATE
    view = run.send(Intent("rate", {"score": 4}))
    assert view.kind is StepKind.DONE and view.reference == "MQ0001"

"""Any electronic licence of the directory, queried and printed through the one generic flow:
no hand-written flow per kind; refusals, nothing held and a network drop are plain messages."""

from __future__ import annotations

from typing import Any

from flows.engine import FlowRun
from flows.fixture_ports import FixturePorts
from flows.headless import drive
from flows.licence_items import generic_definition, item_definition, load_directory
from flows.services import Catalogue
from flows.views import Intent, StepKind
from tests.flows.conftest import CATALOGUE, TODAY

MARRIAGE = {"licence_id": "1.2.156.3005.2.1.1", "kind": "mzj-marriage", "title": "结婚证",
            "issuer": "演示区民政局", "holder": "陈思远", "number": "MZJ1", "valid_to": "长期",
            "preview": [["持证人", "陈思远"], ["登记日期", "2014-05-20"]]}
DIVORCE = {**MARRIAGE, "licence_id": "1.2.156.3005.2.1.2", "kind": "mzj-divorce",
           "title": "离婚证"}
RESIDENT = {"name": "陈思远", "id_number": "310104198803140032"}


def _run(kind: str, **fixtures: Any) -> tuple[FlowRun, FixturePorts]:
    kinds, _ = load_directory(CATALOGUE)
    wanted = next(k for k in kinds if k.code == kind)
    ports = FixturePorts({"resident": RESIDENT, **fixtures})
    return FlowRun(item_definition(wanted), ports, today=TODAY), ports


def test_the_bundle_offers_every_directory_kind_as_an_item() -> None:
    catalogue = Catalogue.load(CATALOGUE, check_fixtures=False)
    items = [e for e in catalogue.available() if e.id.startswith("licence-")]
    assert len(items) >= 60
    assert len({e.department for e in items}) >= 15
    assert all(e.definition and e.definition.steps["copy"].licence_kind for e in items)
    assert catalogue.problems() == []


def test_a_kind_with_no_hand_written_flow_prints_with_the_usage_watermark() -> None:
    run, ports = _run("mzj-marriage", licence_holdings=[MARRIAGE, DIVORCE])
    views = drive(run, {"purpose": "租房"})
    assert views[-1].kind is StepKind.DONE
    (document,) = ports.printed_certificates
    assert document.usage.startswith("此件仅供办理政务服务事项时使用")
    assert "用途：租房" in document.usage
    assert ("登记日期", "2014-05-20") in document.fields
    assert document.serial in run.record.serials
    # only the licence of this kind was offered: the one held was chosen at once
    assert next(c for c in ports.calls if c[0] == "licence_copy")[1][0] == MARRIAGE["licence_id"]


def test_the_generic_flow_lists_every_kind_held_and_prints_the_chosen_one() -> None:
    ports = FixturePorts({"resident": RESIDENT, "licence_holdings": [MARRIAGE, DIVORCE]})
    run = FlowRun(generic_definition(), ports, today=TODAY)
    view = run.start()
    assert [o.label for o in view.options] == ["结婚证", "离婚证"]
    view = run.send(Intent("choose", DIVORCE["licence_id"]))
    assert view.fields and not any(o.selected for o in view.options)
    print_action = next(a for a in view.actions if a.name == "print")
    assert not print_action.enabled  # a purpose first
    view = run.send(Intent("choose", "入学"))
    view = run.send(Intent("print"))
    assert view.outcome == "done"
    assert ports.printed_certificates[0].kind == "licence:mzj-divorce"


def test_a_licence_the_platform_will_not_release_is_a_plain_refusal() -> None:
    refusal = "该证照暂不支持在自助终端打印，请到发证部门窗口办理"
    run, ports = _run("mzj-marriage", licence_holdings=[MARRIAGE],
                      licence_refused={"mzj-marriage": refusal})
    run.start()
    run.send(Intent("choose", "入学"))
    view = run.send(Intent("print"))
    assert view.outcome == "refused"
    assert "发证部门窗口" in view.error
    assert ports.printed_certificates == []
    assert run.send(Intent("print")).outcome == "refused"  # no second try at the platform


def test_nothing_held_of_the_kind_says_so_and_finishes() -> None:
    run, _ports = _run("jtw-driving", licence_holdings=[MARRIAGE])
    view = run.start()
    assert "暂无该类电子证照" in view.body
    assert run.send(Intent("next")).kind is StepKind.RATE  # the flow ended: rate it


def test_network_down_while_asking_then_retry() -> None:
    run, ports = _run("mzj-marriage", licence_holdings=[MARRIAGE])
    ports.fail["licence_holdings"] = 1
    view = run.start()
    assert view.error and next(a.name for a in view.actions) == "retry"
    view = run.send(Intent("retry"))
    assert view.fields  # the preview of the one licence held

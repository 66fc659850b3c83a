"""`kiosk flows lint`: each kind of bad input is reported with its file and line, exit 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.lint import lint_dir
from kiosk.boot.commands import flows as flows_command
from tests.flows.conftest import CATALOGUE

GOOD = """\
schema: 1
id: sample
version: "1.0.0"
category: 办理
kind: apply
title: {zh-CN: 示例事项, en: Sample}
devices: [receipt_printer]
guide:
  conditions: {zh-CN: 无, en: None}
  materials: {zh-CN: 身份证, en: ID card}
  time_limit: {zh-CN: 即时, en: Immediate}
  fees: {zh-CN: 免费, en: Free}
  location: {zh-CN: 本中心, en: Here}
steps:
  - id: identify
    type: identify
  - id: ask
    type: form
    fields:
      - key: phone
        label: {zh-CN: 手机号码, en: Mobile}
        kind: phone
  - id: submit
    type: submit
    when: "identity.age >= 18"
  - id: result
    type: result
    receipt: acceptance
templates:
  receipts:
    acceptance:
      title: {zh-CN: 受理回执, en: Receipt}
      lines:
        - label: {zh-CN: 办件编号, en: Case number}
          value: "{{ case_number }}"
"""

FIXTURES = """\
resident: {name: 张三, id_number: "11010519491231002X", birth_date: "1949-12-31"}
application: {case_number: "C1", status: accepted}
answers: {phone: "13800138000"}
"""


def _write(root: Path, text: str, fixtures: str = FIXTURES, folder: str = "sample") -> Path:
    service = root / folder
    service.mkdir(parents=True, exist_ok=True)
    (service / "flow.yaml").write_text(text, encoding="utf-8")
    if fixtures is not None:
        (service / "fixtures.yaml").write_text(fixtures, encoding="utf-8")
    return service / "flow.yaml"


def _line_of(text: str, marker: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if marker in line:
            return number
    raise AssertionError(f"marker {marker!r} not in text")


def _lint(tmp_path: Path, text: str, **kw: str) -> list[str]:
    _write(tmp_path, text, **kw)
    return [str(p) for p in lint_dir(tmp_path)]


def test_good_sample_is_clean(tmp_path: Path) -> None:
    assert _lint(tmp_path, GOOD) == []


def test_builtin_catalogue_is_clean() -> None:
    assert [str(p) for p in lint_dir(CATALOGUE)] == []


def test_malformed_yaml(tmp_path: Path) -> None:
    text = GOOD.replace("  - id: ask\n", "  - id: ask\n   bad: [unclosed\n")
    lines = _lint(tmp_path, text)
    assert len(lines) == 1
    path, line, message = lines[0].split(":", 2)
    assert path.endswith("sample/flow.yaml")
    assert abs(int(line) - _line_of(text, "bad: [unclosed")) <= 2
    assert "malformed YAML" in message


def test_unknown_step_type(tmp_path: Path) -> None:
    text = GOOD.replace("    type: submit\n", "    type: teleport\n")
    lines = _lint(tmp_path, text)
    expected = f"{tmp_path / 'sample' / 'flow.yaml'}:{_line_of(text, 'type: teleport')}:"
    assert any(line.startswith(expected) and "unknown step type 'teleport'" in line
               for line in lines), lines


def test_unknown_device(tmp_path: Path) -> None:
    text = GOOD.replace("devices: [receipt_printer]", "devices: [receipt_printer, fax]")
    lines = _lint(tmp_path, text)
    expected = f":{_line_of(text, 'fax')}:"
    assert any(expected in line and "unknown device 'fax'" in line for line in lines), lines


def test_hostile_expression(tmp_path: Path) -> None:
    text = GOOD.replace('when: "identity.age >= 18"',
                        "when: \"().__class__.__bases__[0].__subclasses__()\"")
    lines = _lint(tmp_path, text)
    expected = f":{_line_of(text, '__subclasses__')}:"
    assert any(expected in line and "expression refused" in line for line in lines), lines


def test_missing_translation(tmp_path: Path) -> None:
    text = GOOD.replace("label: {zh-CN: 手机号码, en: Mobile}", "label: {zh-CN: 手机号码}")
    lines = _lint(tmp_path, text)
    expected = f":{_line_of(text, 'label: {zh-CN: 手机号码}')}:"
    assert any(expected in line and "missing translation en" in line for line in lines), lines


def test_template_error_at_render_time(tmp_path: Path) -> None:
    text = GOOD.replace('value: "{{ case_number }}"', 'value: "{{ len(identity.age) }}"')
    lines = _lint(tmp_path, text)
    expected = f":{_line_of(text, '- label: {zh-CN: 办件编号')}:"
    assert any(expected in line and "template error" in line for line in lines), lines


def test_template_syntax_error(tmp_path: Path) -> None:
    text = GOOD.replace('value: "{{ case_number }}"', 'value: "{{ case_number "')
    lines = _lint(tmp_path, text)
    number = _line_of(text, '"{{ case_number "')
    expected = f":{number}:"
    assert any(expected in line and "template refused" in line for line in lines), lines


def test_missing_step_reference(tmp_path: Path) -> None:
    text = GOOD.replace("    type: identify\n", "    type: identify\n    next: nowhere\n")
    lines = _lint(tmp_path, text)
    expected = f":{_line_of(text, 'next: nowhere')}:"
    assert any(expected in line and "'nowhere' does not exist" in line for line in lines), lines


def test_missing_template_reference(tmp_path: Path) -> None:
    text = GOOD.replace("receipt: acceptance", "receipt: nothing")
    lines = _lint(tmp_path, text)
    expected = f":{_line_of(text, 'receipt: nothing')}:"
    assert any(expected in line and "'nothing' does not exist" in line for line in lines), lines


def test_print_step_without_its_device(tmp_path: Path) -> None:
    text = GOOD.replace("devices: [receipt_printer]", "devices: []")
    lines = _lint(tmp_path, text)
    assert any("'receipt_printer'" in line for line in lines), lines


def test_folder_must_match_id(tmp_path: Path) -> None:
    _write(tmp_path, GOOD, folder="other")
    lines = [str(p) for p in lint_dir(tmp_path)]
    assert any(":2:" in line and "folder name 'other'" in line for line in lines), lines


def test_missing_fixtures(tmp_path: Path) -> None:
    lines = _lint(tmp_path, GOOD, fixtures=None)
    assert any("no fixtures.yaml" in line for line in lines), lines


@pytest.mark.parametrize("bad, good", [
    ("type: submit", "type: teleport"),
    ("devices: [receipt_printer]", "devices: [fax]"),
])
def test_command_exits_1_and_prints_file_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             bad: str, good: str) -> None:
    path = _write(tmp_path, GOOD.replace(bad, good))
    assert flows_command.main(["lint", str(tmp_path)]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert out and all(line.startswith(f"{path}:") for line in out)
    assert all(line.split(":")[1].isdigit() for line in out)


def test_command_exits_0_on_the_builtin_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    assert flows_command.main(["lint", str(CATALOGUE)]) == 0
    assert capsys.readouterr().out == ""


def test_smoke_run_reports_where_a_service_gets_stuck(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    from kiosk.boot.commands.flows import smoke_run

    path = _write(tmp_path, GOOD, fixtures=FIXTURES.replace(
        'application: {case_number: "C1", status: accepted}\n', ""))
    assert lint_dir(tmp_path) == []  # the templates still render: lint alone cannot see it
    problems = smoke_run(tmp_path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:{_line_of(GOOD, '- id: submit')}:")
    assert "smoke run" in problems[0] and "测试数据缺少该项" in problems[0]
    assert flows_command.main(["lint", str(tmp_path)]) == 1
    assert capsys.readouterr().out.strip() == problems[0]
    assert flows_command.main(["lint", "--no-smoke", str(tmp_path)]) == 0


def test_smoke_run_of_the_builtin_catalogue_is_clean() -> None:
    from kiosk.boot.commands.flows import smoke_run

    assert smoke_run(CATALOGUE) == []

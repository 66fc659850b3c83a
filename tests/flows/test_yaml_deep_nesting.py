"""A bundle YAML file of nested flow brackets (``[[[[...]]]]``, 100,000 deep in 200 KB) crashed
the process in libyaml's recursive composer (segmentation fault): it is refused on the raw text
before parsing; ordinary nesting still loads.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from flows.yamlsource import MAX_FLOW_NESTING, YamlError, load_yaml, safe_load


@pytest.mark.parametrize("depth", [MAX_FLOW_NESTING + 1, 5_000, 100_000])
def test_deep_brackets_are_refused(depth: int) -> None:
    text = "steps: " + "[" * depth + "]" * depth + "\n"
    with pytest.raises(YamlError, match="nested deeper"):
        load_yaml(text, "svc/flow.yaml")
    with pytest.raises(yaml.YAMLError):
        safe_load(text)
    with pytest.raises(YamlError):
        load_yaml("a: " + "{b: " * depth + "1" + "}" * depth, "svc/flow.yaml")


def test_refusal_happens_in_the_same_process_without_a_crash() -> None:
    code = ("from flows.yamlsource import load_yaml, YamlError\n"
            "try:\n    load_yaml('[' * 100000 + ']' * 100000, 'f')\n"
            "except YamlError as e:\n    print(e)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-500:]
    assert "nested deeper" in done.stdout


def test_ordinary_nesting_loads() -> None:
    data, _ = load_yaml("a: [[1, {b: [2, 3]}], {c: {d: [4]}}]\nt: '{{ x }} [注]'\n", "f")
    assert data["a"][0][1]["b"] == [2, 3] and data["t"] == "{{ x }} [注]"

"""The decision records stay findable: every ADR says whether it still holds and is in the index.

docs/adr/NNNN-title.md starts with `# N. Title`, then a `Status:` line (`accepted` or
`superseded by NNNN`, naming an ADR that exists); docs/adr/README.md lists each ADR once under
its area as `- [NNNN](file) Title — status`, with the file's own title and status.
"""

from __future__ import annotations

import re
from pathlib import Path

ADR_DIR = Path(__file__).resolve().parents[1] / "docs" / "adr"
INDEX = ADR_DIR / "README.md"
STATUS = re.compile(r"^Status: (accepted|superseded by (\d{4}))$")
ENTRY = re.compile(r"^- \[(\d{4})\]\((\d{4}-[^)]+\.md)\) (.+) — (.+)$")


def _adrs() -> list[Path]:
    return sorted(ADR_DIR.glob("[0-9][0-9][0-9][0-9]-*.md"))


def _title_and_status(path: Path) -> tuple[str, str]:
    """The heading's title and the status line's value (``""`` when missing)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    heading = re.match(r"^# (\d+)\. (.+)$", lines[0]) if lines else None
    title = heading.group(2) if heading and int(heading.group(1)) == int(path.name[:4]) else ""
    first = next((line for line in lines[1:] if line.strip()), "")
    match = STATUS.match(first)
    return title, match.group(1) if match else ""


def _index_entries() -> list[tuple[str, str, str, str]]:
    """(number, file, title, status) of every index line."""
    entries = []
    for line in INDEX.read_text(encoding="utf-8").splitlines():
        if match := ENTRY.match(line):
            number, file, title, status = match.groups()
            entries.append((number, file, title, status))
    return entries


def test_there_are_adrs_to_check() -> None:
    assert len(_adrs()) >= 70
    assert INDEX.is_file()


def test_every_adr_has_a_numbered_title_and_a_status_line_under_it() -> None:
    problems = []
    for path in _adrs():
        title, status = _title_and_status(path)
        if not title:
            problems.append(f"{path.name}: first line must be '# {int(path.name[:4])}. Title'")
        if not status:
            problems.append(f"{path.name}: the first line after the title must be "
                            "'Status: accepted' or 'Status: superseded by NNNN'")
    assert problems == []


def test_a_superseded_adr_names_a_later_adr_that_exists() -> None:
    numbers = {path.name[:4] for path in _adrs()}
    for path in _adrs():
        _, status = _title_and_status(path)
        if status.startswith("superseded by "):
            successor = status.removeprefix("superseded by ")
            assert successor in numbers, f"{path.name}: {status} does not exist"
            assert successor > path.name[:4], f"{path.name}: superseded by an older ADR"


def test_every_adr_is_in_the_index_once_with_its_title_and_status() -> None:
    entries = _index_entries()
    listed = [number for number, *_ in entries]
    problems = [f"{number} is listed {listed.count(number)} times"
                for number in sorted(set(listed)) if listed.count(number) > 1]
    by_number = {number: (file, title, status) for number, file, title, status in entries}
    for path in _adrs():
        number = path.name[:4]
        title, status = _title_and_status(path)
        wanted = f"- [{number}]({path.name}) {title} — {status}"
        if by_number.get(number) != (path.name, title, status):
            problems.append(f"docs/adr/README.md needs the line: {wanted}")
    assert problems == []


def test_the_index_names_no_missing_adr() -> None:
    missing = [file for _, file, _, _ in _index_entries() if not (ADR_DIR / file).is_file()]
    assert missing == []

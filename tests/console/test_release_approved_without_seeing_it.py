"""An approver signed a release without seeing it: nothing showed a pushed service on a screen
before it went out. The release page now links to the screenshots `kiosk tour --bundle` renders
from the release's bundle in a child process, stored with the release."""

from __future__ import annotations

import time

import pytest

from kiosk.console import preview
from kiosk.updates.bundle import build_archive
from tests.console.test_release_needs_two_people import (  # noqa: F401
    Rig,
    _people,
    _upload,
    rig,
)
from tests.updates.conftest import SERVICES, write_flows

RENDER_SECONDS = 300


@pytest.mark.slow
def test_release_page_links_to_screens_rendered_from_the_bundle(rig: Rig) -> None:  # noqa: F811
    people = _people(rig)
    page = _upload(people["wang"], "flows-2.tar.gz", rig.build(2).read_bytes())
    assert page.status_code == 200 and 'id="preview-link"' in page.text, page.text[:500]
    url = page.url.removeprefix(rig.console.url)

    first = people["li"].get(f"{url}/preview")  # the approver opens it: rendering starts
    assert first.status_code == 200 and "正在生成预览" in first.text, first.text[:800]
    deadline = time.monotonic() + RENDER_SECONDS
    while True:
        shown = people["li"].get(f"{url}/preview")
        if "正在生成预览" not in shown.text or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert 'id="preview-shots"' in shown.text, shown.text[:2000]
    for service in SERVICES:
        assert f"-{service}-01-" in shown.text
    sha = next(p for p in (rig.tmp / "releases").glob("*.tar.gz")).name.split(".")[0]
    stored = preview.status(rig.tmp / "releases", sha)
    assert stored.state == "done" and len(stored.shots) >= 8
    image = people["li"].get(f"{url}/preview/{stored.shots[1].file}")
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")
    for name in ("..%2Fflows-2.tar.gz", "index.txt", "99-not-there.png"):
        assert people["li"].get(f"{url}/preview/{name}").status_code == 404


def test_refused_release_is_not_rendered(rig: Rig) -> None:  # noqa: F811
    people = _people(rig)
    flows = write_flows(rig.tmp / "broken", 3, broken=True)
    archive = rig.tmp / "broken.tar.gz"
    build_archive(flows, archive, 3, "0.1.0")
    page = _upload(people["wang"], "broken.tar.gz", archive.read_bytes())
    assert "未通过检查" in page.text and 'id="preview-link"' not in page.text
    url = page.url.removeprefix(rig.console.url)
    shown = people["li"].get(f"{url}/preview")
    assert shown.status_code == 200 and "未通过检查，不生成预览" in shown.text
    assert not (rig.tmp / "releases" / "previews").exists()

"""Start-up slowed by libraries the attract frame does not need: importing the composition root
(and the camera, certificate and voice modules the screens and the face check name) loads
neither OpenCV, numpy, reportlab, zxing-cpp nor pypinyin; they load at first use
(docs/adr/0785-attract-frame-first.md)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from kiosk import REPO_ROOT

HEAVY = ("cv2", "numpy", "reportlab", "zxingcpp", "pypinyin", "jsonschema")


def _run(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True,
                          text=True, env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)),
                          timeout=120)


def test_the_composition_root_imports_no_heavy_library() -> None:
    done = _run(f"""
        import sys
        import kiosk.boot.composition, kiosk.core.face_flow, kiosk.core.face_check
        import drivers.camera, drivers.camera.face, drivers.camera.document
        import drivers.camera.preview, kiosk.certificates, kiosk.printing.service
        import kiosk.voice.speech, kiosk.adapters.catalogue
        from drivers.camera.face import FaceGuidance, Box
        print(sorted(m for m in {HEAVY!r} if m in sys.modules))
    """)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]", f"loaded at import: {done.stdout.strip()}"


def test_the_deferred_names_still_work_at_first_use() -> None:
    done = _run("""
        import sys
        from drivers.camera import Camera, open_camera
        from drivers.camera.face import FACE_CASCADE, FaceAnalyser
        from kiosk.certificates import render_certificate
        assert FACE_CASCADE.is_file(), FACE_CASCADE
        FaceAnalyser()
        assert Camera.__name__ == "Camera" and callable(render_certificate)
        print(all(m in sys.modules for m in ("cv2", "numpy", "reportlab")))
    """)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "True"

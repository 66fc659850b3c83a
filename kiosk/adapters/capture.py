"""Document capture for the session ports: photograph one paper material with the document
camera, straighten it, and hand the flow a JPEG. The image lives only in the session's
temporary folder and memory, and is deleted at the wipe.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flows import ports as fp

#: How long to wait for a fresh frame from the camera.
FRAME_WAIT_SECONDS = 2.0
NO_PAGE_TEXT = "没有找到材料的边缘，请把材料平放在拍摄区内，四角都在画面中"
NO_FRAME_TEXT = "摄像头暂时没有画面，请稍后再试或到窗口办理"


class DocumentCapture:
    """Callable used by KioskSessionPorts.capture_document."""

    def __init__(self, hub: Any) -> None:
        self._hub = hub

    def __call__(self, name: str, session: Any) -> fp.CapturedDocument | fp.PortFailure:
        """Take one page from the newest frame."""
        from drivers.camera.document import DocumentSession, PageStatus  # OpenCV: load on use

        camera = self._hub.get("camera")
        if camera is None:
            return fp.PortFailure(NO_FRAME_TEXT, code="no_camera")
        latest = camera.latest()
        frame = camera.wait_newer(latest.seq if latest else -1, FRAME_WAIT_SECONDS)
        frame = frame or latest
        if frame is None:
            return fp.PortFailure(NO_FRAME_TEXT, code="no_frame")
        pages = DocumentSession()
        result = pages.capture(frame.image)
        if result.status is not PageStatus.CAPTURED or result.page is None:
            return fp.PortFailure(NO_PAGE_TEXT, code=str(result.status))
        jpeg = result.page.jpeg
        path = session.new_temp_file(".jpg")
        path.write_bytes(jpeg)
        pages.clear()
        return fp.CapturedDocument(name=name, content_type="image/jpeg",
                                   sha256=hashlib.sha256(jpeg).hexdigest(), data=jpeg)

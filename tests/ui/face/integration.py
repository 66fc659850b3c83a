"""Until the lead wires the face check in, the UI tests apply the same integration here.

This is the integration the report asks for, in executable form: `FaceHookController` is
KioskController with the hook in `_identify` (face check before the identity is taken), and
`FaceKioskApp` is KioskApp with FACE_SCREENS registered. Once kiosk/controller.py has
`_identified` and KioskApp registers the face screens, both become no-ops.
"""

from __future__ import annotations

from typing import Any

from flows.views import Intent
from kiosk.controller import KioskController
from kiosk.i18n import _
from kiosk.logs import log_event
from kiosk.privacy import REDACTOR, mask_name
from kiosk.session import Phase
from kiosk.ui.app import KioskApp
from kiosk.ui.screens.document_capture import DocumentCaptureScreen
from kiosk.ui.screens.face import FACE_SCREENS

INTEGRATED = hasattr(KioskController, "_identified")


class FaceHookController(KioskController):
    """KioskController with the face hook (the lead's patch, verbatim in behaviour)."""

    def _identify(self, method: str, identity: Any) -> None:
        if self.lifecycle.phase not in (Phase.ATTRACT, Phase.ACTIVE, Phase.STILL_THERE):
            return
        expired = getattr(identity, "expired", None)
        if callable(expired) and expired(self._today()):
            self._publish(notice=_("您的证件已过有效期，请使用有效证件或到窗口办理"),
                          notice_kind="error")
            return
        if self.lifecycle.phase is Phase.ATTRACT:
            self.lifecycle.start(method)
        session = self.lifecycle.session
        if session is None or self.state.busy:
            return
        session_id = session.session_id
        session.resident = identity
        REDACTOR.register(getattr(identity, "name", ""), getattr(identity, "address", ""),
                          getattr(identity, "id_number", ""))
        self._publish(busy=True, busy_text=_("正在核验身份，请稍候"), notice="")

        def done(result: Any) -> None:
            current = self.lifecycle.session
            if current is None or current.session_id != session_id:
                return
            if isinstance(result, Exception):
                current.resident = None
                message = getattr(result, "message", "") or _("身份核验暂时无法完成，请稍后再试")
                self._publish(busy=False, notice=message, notice_kind="error")
                if self.state.screen == "attract":
                    self._show_home()
                return
            token, display_name = result
            self._publish(busy=False)
            face = getattr(self, "face", None)
            if face is not None and face.required_for(method):
                face.begin(identity, lambda t, n: self._identified(method, identity, t, n))
                return
            self._identified(method, identity, token, display_name)

        self.runner.submit(lambda: self.verifier.verify(method, identity), done)

    def _identified(self, method: str, identity: Any, token: str, display_name: str) -> None:
        current = self.lifecycle.session
        if current is None:
            return
        current.resident_token = token
        current.display_name = display_name or mask_name(getattr(identity, "name", ""))
        log_event(__import__("logging").getLogger("kiosk.controller"), "resident_identified",
                  method=method)
        pending, self._pending_service = self._pending_service, None
        entry = next((e for e in self._entries() if e.service_id == pending), None)
        if entry is not None and entry.available:
            self._start_run(entry)
        elif self._run is not None:
            self.send(Intent("identified"))
        else:
            self._show_home()


class FaceKioskApp(KioskApp):
    """KioskApp with the face screens and the document preview (rebuilt after a wipe)."""

    def _build_screens(self) -> None:
        super()._build_screens()
        current = self.screens.get("step_capture")
        if current is not None and not isinstance(current, DocumentCaptureScreen):
            self.manager.remove_widget(current)
            screen = DocumentCaptureScreen(self.ctx)
            self.screens[screen.name] = screen
            self.manager.add_widget(screen)
        for cls in FACE_SCREENS:
            if cls.screen_name not in self.screens:
                screen = cls(self.ctx)
                self.screens[screen.name] = screen
                self.manager.add_widget(screen)


def install(controller: KioskController) -> None:
    """Give ``controller`` the face hook unless kiosk/controller.py already has it."""
    if not INTEGRATED:
        controller.__class__ = FaceHookController

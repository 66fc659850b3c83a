"""The floor for `kiosk bench startup`: a bare Kivy window with one label, same settings."""

from __future__ import annotations

from kiosk.boot.first_frame import report_first_frame
from kiosk.boot.resources import FONT_PATH
from kiosk.ui.window import prepare, register_font


def main() -> None:
    """Open the window, report the time of the first frame drawn as the kiosk does, exit."""
    prepare(1920, 1080)
    register_font(FONT_PATH)
    from kivy.app import App
    from kivy.clock import Clock
    from kivy.core.window import Window
    from kivy.uix.label import Label

    class Bare(App):
        def build(self) -> Label:
            Window.bind(on_flip=self._flipped)
            return Label(text="请刷身份证或点击屏幕开始")

        def _flipped(self, *_args: object) -> None:
            # stamped at the tick after the first frame was drawn and swapped, as the kiosk
            Window.unbind(on_flip=self._flipped)
            Clock.schedule_once(self._first, 0)

        def _first(self, _dt: float) -> None:
            report_first_frame()
            self.stop()

    Bare().run()


if __name__ == "__main__":
    main()

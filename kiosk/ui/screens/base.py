"""The base screen: an optional header and a body to fill, over the window's clear colour (the
palette's background, `kiosk.ui.drawing`)."""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from kiosk.ui.context import UiContext
from kiosk.ui.widgets import Header, Panel


class KioskScreen(Screen):
    """A full-screen page; subclasses fill ``self.body`` in ``render(state)``."""

    with_header = True

    def __init__(self, ctx: UiContext, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.ctx = ctx
        # no background of its own: the window's clear paints it (kiosk/ui/drawing.py)
        root = Panel(None, orientation="vertical")
        self.root_panel = root
        self.header: Header | None = None
        if self.with_header:
            self.header = Header(ctx.metrics, ctx.palette, on_back=self.on_back,
                                 on_home=ctx.controller.home, prefs=ctx.prefs)
            root.add_widget(self.header)
        pad = ctx.metrics.px(32)
        self.body = BoxLayout(orientation="vertical", padding=[pad, pad, pad, pad],
                              spacing=ctx.metrics.px(20))
        root.add_widget(self.body)
        self.add_widget(root)

    def on_back(self) -> None:
        """返回: by default, back to home."""
        self.ctx.controller.home()

    def render(self, state: object) -> None:
        """Show ``state`` (a kiosk.core.controller.UiState)."""

    def tick(self, remaining_seconds: float) -> None:
        """Once a second while shown."""
        if self.header is not None:
            self.header.set_remaining(remaining_seconds)

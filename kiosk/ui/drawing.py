"""Frames that are cheap on a software renderer (Mesa llvmpipe): the screens' common background
is the window's clear colour (a clear costs next to nothing; a full-screen rectangle costs a
textured, blended pass over two million pixels), and the screen manager draws no stencil mask
around a full-window screen (two more full-screen passes per frame for Kivy's own
``<ScreenManager>`` rule, needed only by animated transitions, which the kiosk never uses).

Screenshots draw the same clear colour under the root, so a PNG looks like the glass
(docs/adr/0810-cheap-frames-on-software-gl.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.core.image import Image
from kivy.core.window import Window
from kivy.graphics import ClearBuffers, ClearColor, Fbo, Scale, Translate
from kivy.uix.screenmanager import NoTransition, ScreenManager
from kivy.uix.widget import Widget

from kiosk.ui.theme import hex_rgba


class FlatScreenManager(ScreenManager):
    """A ScreenManager without transitions and without the stencil mask Kivy's rule draws
    around it (before and after every frame's screen, each a full-window pass)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("transition", NoTransition())
        super().__init__(**kwargs)
        self.canvas.before.clear()
        self.canvas.after.clear()


def paint_window_background(colour: str) -> None:
    """Make ``colour`` (the palette's background) the window's clear colour: every screen's
    background, drawn by the clear that starts each frame."""
    Window.clearcolor = hex_rgba(colour)


def export_png(widget: Widget, path: Path, background: str) -> Path:
    """Write ``widget`` and everything on it to ``path`` as a PNG, over ``background`` (what
    the window's clear shows under the screens). As Kivy's ``export_to_png``, with the colour."""
    parent = widget.parent
    index = parent.canvas.indexof(widget.canvas) if parent is not None else -1
    if index > -1:
        parent.canvas.remove(widget.canvas)
    fbo = Fbo(size=(widget.width, widget.height), with_stencilbuffer=True)
    with fbo:
        ClearColor(*hex_rgba(background))
        ClearBuffers()
        Scale(1, -1, 1)
        Translate(-widget.x, -widget.y - widget.height, 0)
    fbo.add(widget.canvas)
    try:
        fbo.draw()
        Image(fbo.texture).save(str(path), flipped=False)
    finally:
        fbo.remove(widget.canvas)
        if index > -1:
            parent.canvas.insert(index, widget.canvas)
    return path

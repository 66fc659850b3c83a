"""The screens drawn once into a texture while a 视频帮办 call is shown (docs/adr/0820).

Kivy redraws the whole window whenever any instruction in it changes, and on this kiosk the
window is drawn in software (Mesa llvmpipe): every new frame of the staff member's video cost
a redraw of the whole 1920x1080 step screen. While the cache is attached, the screens' canvas
(the ScreenManager's) lives inside a Kivy `Fbo`: the Fbo draws its children into its texture
only when one of them changed (a change flags the instruction and every parent up to the Fbo,
Instruction.flag_update in kivy/graphics/instructions.pyx; Fbo.apply renders only when its own
flag is set, kivy/graphics/fbo.pyx) and otherwise costs one textured quad. The call panel and
the videos are drawn beside it, outside the Fbo.

The same texture is what the staff member sees when the resident shares the screen: the step
without the staff video and without the resident's own camera preview (`pixels`).

The widget tree does not change (touches reach the screens as before); only the manager's
canvas moves, and `detach` puts it back at its place.
"""

from __future__ import annotations

from typing import Any

from kivy.graphics import (
    Callback,
    ClearBuffers,
    ClearColor,
    Color,
    Fbo,
    InstructionGroup,
    Rectangle,
)
from kivy.graphics.opengl import GL_BLEND, glDisable, glEnable
from kivy.uix.widget import Widget


class ScreenCache:
    """The canvas of ``widget`` (a child of ``root``) drawn through an Fbo while attached."""

    def __init__(self, root: Widget, widget: Widget,
                 clear_rgba: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 1.0)) -> None:
        self._root = root
        self._clear_rgba = clear_rgba
        self._widget = widget
        self._fbo: Fbo | None = None
        self._group: InstructionGroup | None = None
        self._quad: Rectangle | None = None
        self._cleared_window: Any = None
        #: How many times the screens were drawn into the texture (the bench and tests read it).
        self.renders = 0

    @property
    def attached(self) -> bool:
        """True while the screens are drawn through the texture."""
        return self._group is not None

    def attach(self) -> bool:
        """Draw the screens through the texture from the next frame on (idempotent); False when
        the widget's canvas is not where it is expected (then nothing changes)."""
        if self._group is not None:
            return True
        canvas, own = self._root.canvas, self._widget.canvas
        index = canvas.indexof(own)
        if index < 0:
            return False
        size = (max(1, int(self._root.width)), max(1, int(self._root.height)))
        fbo = Fbo(size=size, with_stencilbuffer=True)  # the screens' scroll views use stencils
        fbo.clear_color = self._clear_rgba  # where the screens do not reach (beside the panel)
        # cleared at each redraw: the screens draw no background of their own, they rely on
        # the window's clear colour (docs/adr/0810), and an Fbo is not cleared by itself
        fbo.add(ClearColor(*self._clear_rgba))
        fbo.add(ClearBuffers(clear_color=True, clear_stencil=True))
        fbo.add(Callback(self._rendered))  # runs only when the Fbo draws its children again
        group = InstructionGroup()
        group.add(fbo)
        # the texture already holds the blended picture (and alpha below 1 at soft edges):
        # copied as it is, not blended a second time over the window's black
        group.add(Callback(_blend_off))
        group.add(Color(1, 1, 1, 1))
        quad = Rectangle(texture=fbo.texture, pos=self._root.pos, size=size)
        group.add(quad)
        group.add(Callback(_blend_on))
        fbo.texture.min_filter = fbo.texture.mag_filter = "nearest"  # drawn 1:1
        canvas.remove(own)
        fbo.add(own)
        canvas.insert(index, group)
        self._fbo, self._group, self._quad = fbo, group, quad
        self._skip_window_clear(True)
        self._root.bind(size=self._resize, pos=self._resize)
        return True

    def detach(self) -> None:
        """Draw the screens directly again, at their place; the texture is dropped."""
        group, fbo = self._group, self._fbo
        if group is None or fbo is None:
            return
        self._root.unbind(size=self._resize, pos=self._resize)
        self._skip_window_clear(False)
        canvas, own = self._root.canvas, self._widget.canvas
        index = canvas.indexof(group)
        canvas.remove(group)
        if fbo.indexof(own) >= 0:
            fbo.remove(own)
            canvas.insert(max(index, 0), own)
        self._fbo = self._group = self._quad = None

    def pixels(self) -> tuple[bytes, tuple[int, int]] | None:
        """The screens as drawn now: RGBA bytes, bottom row first, and (width, height); None
        when not attached. Reads the GPU: call on the UI thread, rarely."""
        fbo = self._fbo
        if fbo is None:
            return None
        data: bytes = fbo.pixels
        width, height = fbo.size
        return data, (int(width), int(height))

    def _skip_window_clear(self, skip: bool) -> None:
        """The opaque quad covers the whole window: clearing it first only cost time (about
        13 ms of a 1920x1080 frame in llvmpipe). Stencil users clear their own buffer
        (StencilPush at level 1, kivy/graphics/stencil_instructions.pyx); nothing 2D uses depth.
        """
        window = self._root.get_root_window()
        if window is None:
            return
        covers = tuple(self._root.pos) == (0, 0) and tuple(self._root.size) == tuple(window.size)
        if skip and covers:
            window.clear = _no_clear  # an instance attribute over WindowBase.clear
            self._cleared_window = window
        elif not skip:
            cleared, self._cleared_window = self._cleared_window, None
            if cleared is not None and cleared.__dict__.get("clear") is _no_clear:
                del cleared.clear

    def _rendered(self, _instruction: Any) -> None:
        self.renders += 1

    def _resize(self, *_: object) -> None:
        fbo, quad = self._fbo, self._quad
        if fbo is None or quad is None:
            return
        size = (max(1, int(self._root.width)), max(1, int(self._root.height)))
        fbo.size = size
        quad.texture = fbo.texture
        quad.pos, quad.size = self._root.pos, size


def _no_clear() -> None:
    """The window's clear while the screens' quad covers all of it."""


def _blend_off(_instruction: Any) -> None:
    glDisable(GL_BLEND)


def _blend_on(_instruction: Any) -> None:
    glEnable(GL_BLEND)

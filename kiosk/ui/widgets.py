"""Reusable widgets: large flat buttons, wrapping text, coloured panels, the header.

Built in Python (no kv strings) so sizes come from `theme.Metrics` and every label uses the
bundled CJK font registered as Kivy's default.

Cheap to draw on a software renderer (docs/adr/0810-cheap-frames-on-software-gl.md): a button is
one flat rectangle and a text texture no taller than its text; rounded panels are antialiased by
their own geometry (the window has no multisampling); a panel without a colour draws nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kivy.graphics import Color, Rectangle, SmoothRoundedRectangle
from kivy.properties import ColorProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from kiosk.i18n import _
from kiosk.ui.theme import BUTTON_FONT_PX, TOUCH_TARGET_PX, Metrics, Palette, hex_rgba

if TYPE_CHECKING:
    from kiosk.core.accessibility import PreferenceStore


#: Segments per rounded corner: a 24 px corner looks round with 8 (Kivy's default is 30).
CORNER_SEGMENTS = 8


class Panel(BoxLayout):
    """A BoxLayout with a solid (optionally rounded) background colour; ``colour=None``: no
    background at all (the window's clear colour shows through, see `kiosk.ui.drawing`)."""

    def __init__(self, colour: str | None, radius: float = 0, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._colour = Color(*hex_rgba(colour or "#000000"))
        self._rect: Rectangle | SmoothRoundedRectangle = (
            SmoothRoundedRectangle(radius=[radius], segments=CORNER_SEGMENTS) if radius
            else Rectangle())
        self._drawn = False
        if colour is not None:
            self._draw_background()
        self.bind(pos=self._sync, size=self._sync)

    def _draw_background(self) -> None:
        self.canvas.before.add(self._colour)
        self.canvas.before.add(self._rect)
        self._drawn = True

    def set_colour(self, colour: str) -> None:
        """Change the background colour."""
        if not self._drawn:
            self._draw_background()
        self._colour.rgba = hex_rgba(colour)

    def _sync(self, *_: object) -> None:
        self._rect.pos = self.pos
        self._rect.size = self.size


def fitted_text_size(label: Label, limit: float) -> tuple[float | None, None]:
    """``text_size`` for ``label`` wrapped at ``limit`` px: centred plain text that fits on its
    lines is rendered at its own width (a texture no wider than the text: Kivy centres it, and
    a software renderer pays for every transparent pixel of a wider one); anything else wraps
    at ``limit`` as before. Markup without tags counts as plain text (its escapes, such as
    ``&bl;``, measure wider than they draw: it wraps, never overflows)."""
    if label.halign != "center" or not label.text or limit <= 0 or (
            label.markup and "[" in label.text):
        return (limit, None)
    core = label._label  # Kivy's core label, holding the label's current font options
    widest = max(core.get_extents(line)[0] for line in label.text.split("\n"))
    return (None, None) if widest <= limit else (limit, None)


class Text(Label):
    """A label that wraps to its width and grows to its text's height."""

    def __init__(self, text: str = "", colour: str = "#1A1A1A", font_size: float = 34,
                 halign: str = "left", bold: bool = False, fixed_height: bool = False,
                 **kwargs: object) -> None:
        super().__init__(text=text, color=hex_rgba(colour), font_size=font_size, halign=halign,
                         valign="middle", bold=bold, **kwargs)
        for name in ("width", "text", "halign", "font_size", "markup"):
            self.fbind(name, self._wrap)
        if not fixed_height:
            self.size_hint_y = None
            self.bind(texture_size=self._grow, text=self._grow)
            self._grow()

    def _wrap(self, *_: object) -> None:
        self.text_size = fitted_text_size(self, self.width)

    def _grow(self, *_: object) -> None:
        self.height = max(self.texture_size[1], self.font_size * 1.3) if self.text else 0


class KButton(ButtonBehavior, Label):
    """A large flat button. ``kind``: primary, secondary, danger, ghost.

    Drawn as one flat rectangle in ``background_color`` and its text (not Kivy's Button, whose
    9-slice BorderImage costs nine quads for the same flat look); the text's texture is as tall
    as the text, not the whole button (docs/adr/0810-cheap-frames-on-software-gl.md)."""

    background_color = ColorProperty([1, 1, 1, 1])
    """The button's fill colour (as Kivy's Button's, without its image)."""

    def __init__(self, text: str, on_tap: Callable[[], None] | None, metrics: Metrics,
                 palette: Palette, kind: str = "secondary", enabled: bool = True,
                 font_base: float = BUTTON_FONT_PX, font_cap: float = 0.0,
                 fit_text: bool = False, **kwargs: object) -> None:
        """``fit_text``: the button is as wide as its label on one line (plus padding), so a
        larger font (elderly mode) widens it instead of wrapping and clipping the label."""
        background, foreground = {
            "primary": (palette.primary, palette.on_primary),
            "danger": (palette.danger, palette.on_danger),
            "header": (palette.header, palette.on_header),
            "secondary": (palette.secondary, palette.on_secondary),
        }.get(kind, (palette.secondary, palette.on_secondary))
        if not enabled:
            background, foreground = palette.disabled, palette.on_disabled
        kwargs.setdefault("size_hint_y", None)
        kwargs.setdefault("height", metrics.px(TOUCH_TARGET_PX))
        super().__init__(text=text, font_size=metrics.font(font_base, font_cap),
                         background_color=hex_rgba(background),
                         color=hex_rgba(foreground), halign="center", valign="middle",
                         **kwargs)
        with self.canvas.before:
            self._fill_colour = Color(rgba=self.background_color)
            self._fill = Rectangle(pos=self.pos, size=self.size)
        self.fbind("background_color", self._recolour)
        self.fbind("pos", self._sync_fill)
        self.fbind("size", self._sync_fill)
        if fit_text:
            self.size_hint_x = None
            padding = metrics.px(28)
            self.bind(texture_size=lambda *_: setattr(self, "width",
                                                      self.texture_size[0] + 2 * padding))
            self.texture_update()
        else:
            for name in ("size", "text", "font_size", "markup"):
                self.fbind(name, self._wrap)
            self.fbind("texture_size", self._clip)
        self._on_tap = on_tap
        # greyed text in the colour the caller gives (palette on_disabled), not Kivy's
        # translucent white, which could hardly be read on the disabled grey
        self.disabled_color = self.color
        self.fbind("color", lambda *_: setattr(self, "disabled_color", self.color))
        self.disabled = not enabled
        self._pressed_colour = hex_rgba(background, 0.75)
        self._colour = hex_rgba(background)

    def _recolour(self, *_: object) -> None:
        self._fill_colour.rgba = self.background_color

    def _sync_fill(self, *_: object) -> None:
        self._fill.pos = self.pos
        self._fill.size = self.size

    def _wrap(self, *_: object) -> None:
        """Wrap to the button's width; the texture is only as large as the text."""
        self.text_size = fitted_text_size(self, self.width * 0.94)

    def _clip(self, *_: object) -> None:
        """Text taller than the button is cut at its edges (as a full-height text box did)."""
        if self.text_size[1] is None and self.texture_size[1] > self.height > 0:
            self.text_size = (self.width * 0.94, self.height)

    def on_press(self) -> None:
        """Visual feedback on touch down."""
        self.background_color = self._pressed_colour

    def on_release(self) -> None:
        """Run the action once per tap."""
        self.background_color = self._colour
        if self._on_tap is not None and not self.disabled:
            self._on_tap()


class KScrollView(ScrollView):
    """A ScrollView whose bar does not fade. Kivy's shows the bar after every scroll *and every
    change of its content's layout*, then animates it to its inactive colour half a second later
    for another half second: thirty whole-window redraws after each new page of tiles or rows,
    landing on the resident's next touch (docs/adr/0810-cheap-frames-on-software-gl.md). Here
    the bar keeps the colour it rested at before (Kivy's inactive colour), shown whenever
    there is more to scroll to."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bar_color = self.bar_inactive_color

    def _bind_inactive_bar_color(self, *_args: Any) -> None:
        """Kivy's fade of the bar (scheduled half a second after each scroll): none."""


class Spacer(Widget):
    """Empty flexible space."""


class Header(Panel):
    """Top bar: 返回, the title, the session's remaining time, 首页."""

    def __init__(self, metrics: Metrics, palette: Palette, on_back: Callable[[], None],
                 on_home: Callable[[], None], prefs: PreferenceStore | None = None,
                 **kwargs: Any) -> None:
        super().__init__(palette.header, orientation="horizontal", size_hint_y=None,
                         height=metrics.px(120), padding=metrics.px(12), spacing=metrics.px(16),
                         **kwargs)
        # Header controls have fixed room: their text grows at most 1.2x in 长者模式.
        self.back_button = KButton(_("返回"), on_back, metrics, palette, kind="secondary",
                                   size_hint=(None, 1), width=metrics.px(200), font_cap=1.2)
        self.title = Text("", palette.on_header, metrics.font(40, cap=1.2), halign="center",
                          bold=True, fixed_height=True, shorten=True, shorten_from="right")
        self.timer = Text("", palette.on_header, metrics.font(30, cap=1.2), halign="right",
                          fixed_height=True, size_hint_x=None, width=metrics.px(220))
        self.home_button = KButton(_("首页"), on_home, metrics, palette, kind="secondary",
                                   size_hint=(None, 1), width=metrics.px(200), font_cap=1.2)
        children: list[Widget] = [self.back_button, self.title]
        self.accessibility: Widget | None = None
        if prefs is not None:
            from kiosk.ui.accessibility_bar import AccessibilityBar
            from kiosk.ui.context import Styling

            self.accessibility = AccessibilityBar(Styling(metrics, palette), prefs,
                                                  size_hint=(None, 1),
                                                  width=metrics.px(4 * 190))
            children.append(self.accessibility)
        children += [self.timer, self.home_button]
        for child in children:
            self.add_widget(child)

    def set_title(self, text: str) -> None:
        """Show ``text`` as the screen's title."""
        self.title.text = text

    def set_remaining(self, seconds: float) -> None:
        """Show the session's remaining time."""
        seconds = int(seconds)
        self.timer.text = (_("剩余 {minutes}:{seconds:02d}", minutes=seconds // 60,
                             seconds=seconds % 60) if seconds else "")

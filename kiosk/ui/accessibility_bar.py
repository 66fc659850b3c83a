"""The accessibility toggles shown on every screen: 长者模式, 中文|English, 静音, 高对比度.

Each tap changes the session's `kiosk.core.accessibility.PreferenceStore`; whoever subscribed to the
store (the app: rebuild screens with new metrics/palette, set the i18n locale, tell the voice
guide) reacts. The bar only shows the current choices: call `show(preferences)` after a change
if the bar survives it (a rebuild creates a new bar anyway).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from kivy.uix.boxlayout import BoxLayout

from kiosk.core.accessibility import Preferences, PreferenceStore
from kiosk.i18n import N_, translate
from kiosk.ui.context import Styling, UiContext
from kiosk.ui.theme import TOUCH_TARGET_PX, hex_rgba
from kiosk.ui.widgets import KButton

#: What each toggle says: the action a tap performs, in the current language.
LANGUAGE_NAMES = {"zh-CN": N_("中文"), "en": "English"}


def toggle_labels(preferences: Preferences) -> dict[str, str]:
    """Toggle name -> label (msgid) for these preferences."""
    other = preferences.next_locale().locale
    return {
        "elderly": N_("标准模式") if preferences.elderly else N_("长者模式"),
        "language": LANGUAGE_NAMES[other],
        "mute": N_("取消静音") if preferences.muted else N_("静音"),
        "contrast": N_("高对比度"),
    }


class AccessibilityBar(BoxLayout):
    """A row of large toggles bound to the session's preference store."""

    TOGGLES = ("elderly", "language", "mute", "contrast")

    def __init__(self, ctx: UiContext | Styling, store: PreferenceStore,
                 toggles: tuple[str, ...] = TOGGLES, **kwargs: object) -> None:
        m = ctx.metrics
        kwargs.setdefault("size_hint_y", None)
        kwargs.setdefault("height", m.px(TOUCH_TARGET_PX))
        super().__init__(orientation="horizontal", spacing=m.px(12), **kwargs)
        self._ctx = ctx
        self._store = store
        actions: dict[str, Callable[[Preferences], Preferences]] = {
            "elderly": lambda p: p.with_elderly(not p.elderly),
            "language": lambda p: p.next_locale(),
            "mute": lambda p: p.with_muted(not p.muted),
            "contrast": lambda p: p.with_high_contrast(not p.high_contrast),
        }
        self.buttons: dict[str, KButton] = {}
        for name in toggles:
            button = KButton("", partial(self._tap, actions[name]), m, ctx.palette,
                             kind="secondary", height=self.height, font_base=30, font_cap=1.0)
            self.buttons[name] = button
            self.add_widget(button)
        self.show(store.current)

    def _tap(self, change: Callable[[Preferences], Preferences]) -> None:
        self.show(self._store.update(change))

    def show(self, preferences: Preferences) -> None:
        """Label and colour each toggle for ``preferences``."""
        p = self._ctx.palette
        labels = toggle_labels(preferences)
        active = {"elderly": preferences.elderly, "language": False,
                  "mute": preferences.muted, "contrast": preferences.high_contrast}
        for name, button in self.buttons.items():
            msgid = labels[name]
            # language names stay in their own language; the rest follow the session's
            button.text = msgid if name == "language" else translate(msgid, preferences.locale)
            on = active[name]
            fill = p.primary if on else p.secondary
            button.background_color = hex_rgba(fill)
            button.color = hex_rgba(p.on_primary if on else p.on_secondary)
            # KButton restores these after a press (kiosk/ui/widgets.py); keep them in step
            button._colour = hex_rgba(fill)
            button._pressed_colour = hex_rgba(fill, 0.75)

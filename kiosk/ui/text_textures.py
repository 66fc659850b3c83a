"""Text textures that never stall the renderer: a label whose text (or colour) changes gets a
new texture instead of being written into the one the last frames drew.

Kivy re-renders a changed label into its old texture when the size is unchanged
(``kivy.core.text.LabelBase.refresh`` -> ``Texture.ask_update``). With the kiosk's software
renderer (Mesa llvmpipe) writing into a texture that queued frames still read waits until those
frames are rasterised: 0.3-4 s for one tab label changing colour on 按主题 / 按部门, the busy
overlay's "正在处理，请稍候" and the header's countdown, measured by `kiosk bench touch`
(docs/adr/0805-home-updates-in-place.md). A fresh texture is a new resource nobody reads yet:
the same label renders in well under 1 ms. The old texture is freed with its last reference.
"""

from __future__ import annotations

from typing import Any

_installed: list[bool] = []


def fresh_textures() -> None:
    """Make every Kivy core label render a change into a new texture (idempotent)."""
    if _installed:
        return
    from kivy.core.text import LabelBase

    in_place = LabelBase.refresh

    def refresh(self: Any) -> None:
        self.texture = None  # LabelBase.refresh then creates one instead of asking an update
        in_place(self)

    refresh.__doc__ = in_place.__doc__
    LabelBase.refresh = refresh  # type: ignore[method-assign]
    _installed.append(True)

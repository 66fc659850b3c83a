"""What every screen needs: sizes, colours, and the controller to send intents to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kiosk.ui.theme import Metrics, Palette

if TYPE_CHECKING:
    from kiosk.core.accessibility import PreferenceStore
    from kiosk.core.controller import KioskController
    from kiosk.core.video_call import VideoCall
    from kiosk.voice.speech import VoiceGuide


@dataclass(frozen=True, slots=True)
class Styling:
    """Sizes and colours only, for a widget built outside a screen (the header's toggles)."""

    metrics: Metrics
    palette: Palette


@dataclass
class UiContext:
    """Shared by all screens; rebuilt when the mode (elderly, contrast) changes."""

    metrics: Metrics
    palette: Palette
    controller: KioskController
    site_name: str = ""
    demo: bool = False
    prefs: PreferenceStore | None = None  # the session's choices
    voice: VoiceGuide | None = None
    #: 视频帮办: the call (kiosk.core.video_call.VideoCall; None = not offered), the staff
    #: member's frames (kiosk.adapters.video_link.RemoteFrames) and the camera for the preview.
    video: VideoCall | None = None
    video_media: Any = None
    camera: Callable[[], Any] = lambda: None

"""What every screen needs: sizes, colours, and the controller to send intents to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.ui.theme import Metrics, Palette


@dataclass
class UiContext:
    """Shared by all screens; rebuilt when the mode (elderly, contrast) changes."""

    metrics: Metrics
    palette: Palette
    controller: Any  # kiosk.core.controller.KioskController
    site_name: str = ""
    demo: bool = False
    prefs: Any = None  # kiosk.core.accessibility.PreferenceStore (the session's choices)
    voice: Any = None  # kiosk.voice.speech.VoiceGuide

"""What the screens without a flow step say (attract, home, identify, out of service).

Step screens speak `flows.views.View.speech` (the flow engine fills it per language); these
screens belong to the kiosk, so their prompts are msgids of the UI catalogue (kiosk.i18n).
"""

from __future__ import annotations

from kiosk.i18n import N_, translate

#: Screen name (kiosk.ui.app) -> msgid of its spoken prompt.
SCREEN_PROMPTS: dict[str, str] = {
    "attract": N_("请刷身份证或点击屏幕开始"),
    "home": N_("请选择个人办事或法人办事，再选择要办理的事项"),
    "identify": N_("请将身份证放在下方感应区"),
    "enterprise_identify": N_(
        "请出示电子营业执照二维码，或输入统一社会信用代码，再由法定代表人刷身份证"),
    "out_of_service": N_("本机暂停服务"),
}


def prompt_for(screen: str, view_speech: str, locale: str) -> str:
    """The prompt to speak for ``screen``: the step's own speech, else the screen's prompt."""
    if view_speech:
        return view_speech
    msgid = SCREEN_PROMPTS.get(screen)
    return translate(msgid, locale) if msgid else ""


def fixed_prompts(locale: str) -> list[str]:
    """Every fixed prompt in ``locale``, for `VoiceGuide.prefetch` at start-up."""
    return [translate(msgid, locale) for msgid in SCREEN_PROMPTS.values()]

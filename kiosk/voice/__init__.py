"""Voice guidance (语音引导): prompts turned into words (`numbers`) and spoken (`speech`).

No Kivy here: the UI hands each screen's `View.speech` to `speech.VoiceGuide.say`.
"""

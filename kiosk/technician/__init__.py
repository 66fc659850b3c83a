"""Technician mode, without Kivy: the PIN and technician card, what can be connected, the site
file writer, device tests before saving, and the diagnostics bundle.

The screens are in kiosk.ui.screens.technician; `kiosk doctor` runs the same checks headless.
"""

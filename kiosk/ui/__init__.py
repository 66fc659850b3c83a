"""The Kivy UI: shows the controller's state and sends the resident's intents. Nothing else.

Only this package imports Kivy. Work from device and network threads reaches it through one
hop onto the Kivy clock (`kiosk.ui.app.KioskApp.dispatch_to_ui`).
"""

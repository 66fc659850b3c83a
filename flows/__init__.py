"""The flow engine: services are data (definition files), run by a pure-Python engine.

`flows` imports neither `kivy`, `kiosk` nor `drivers`: it declares the ports it needs in
resident terms and the kiosk implements them.
"""

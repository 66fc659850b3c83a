"""Device drivers: one folder per device class, each with pure protocol code, the real driver
and a simulator that speaks the real wire protocol. `drivers` imports neither `flows` nor `kiosk`.
"""

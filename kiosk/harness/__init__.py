"""Test and demo drivers: the UI driver, journeys, the tour, benchmarks, crash runners. Not on the
kiosk's runtime path."""

"""Adapters binding the flows' ports to the world: devices, platform identity, capture, catalogue,
session ports."""

"""One screen per state: attract, home, identify, one per step kind, out of service."""

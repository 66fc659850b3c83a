"""Process wiring: the command line, settings, logs, the composition root and the launcher."""

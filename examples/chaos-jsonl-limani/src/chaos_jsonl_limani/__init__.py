"""Example chaos Limani: logbook events as JSON lines (see README.md)."""

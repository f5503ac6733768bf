"""Example roles that receive secrets from ``chaos apply -s``."""

"""Compatibility import paths for plugins (``chaos.lib.roles.role.Role`` and friends)."""

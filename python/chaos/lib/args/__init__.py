"""Payload types exchanged between the orchestration and plugins (see ``dataclasses``)."""

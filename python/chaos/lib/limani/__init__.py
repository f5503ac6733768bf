"""Limani: storage back ends for the apply logbook (see ``limani``)."""

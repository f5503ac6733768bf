"""The ``Role`` base class for lifecycle roles (see ``role``)."""

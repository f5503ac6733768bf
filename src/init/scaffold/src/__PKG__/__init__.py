"""__DIST__: a chaos plugin providing the ``__ROLE__`` role."""

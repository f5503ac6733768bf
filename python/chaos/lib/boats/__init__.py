"""Boats: dynamic inventories that add hosts to a Ch-obolo's fleet (see ``base``)."""

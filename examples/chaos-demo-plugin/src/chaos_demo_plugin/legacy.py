"""``demo-legacy``: a role written for the legacy function contract.

Ch-obolo::

    demo_legacy:
      marker: /srv/demo/.marker   # file to create

The function loads the Ch-obolo itself, asks before acting unless ``skip_confirm`` (``-y``), and
uses stdin/stdout directly, as legacy roles do.
"""

from __future__ import annotations

from omegaconf import OmegaConf
from pyinfra.api.operation import add_op
from pyinfra.operations import files


def demo_legacy(state, host, chobolo_path, skip_confirm):
    config = OmegaConf.load(chobolo_path)
    marker = OmegaConf.select(config, "demo_legacy.marker")
    if not marker:
        print("demo-legacy: no demo_legacy.marker in the Ch-obolo; nothing to do.")
        return
    if not skip_confirm:
        answer = input("Create demo marker? [y/N] ").strip().lower()
        if answer not in ("y", "yes"):
            print("demo-legacy: not creating the marker.")
            return
    add_op(
        state,
        files.file,
        name=f"demo-legacy: marker {marker}",
        path=str(marker),
        present=True,
        host=host,
    )

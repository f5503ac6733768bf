"""``legacy-secret-file``: the guide's function contract, with the fifth parameter.

``chaos apply -s`` passes the decrypted secrets file as text; without -s the role is called
with four arguments and ``secrets_text`` keeps its default.
"""

from __future__ import annotations

import io

import yaml
from omegaconf import OmegaConf
from pyinfra.api.operation import add_op
from pyinfra.operations import files


def legacy_secret_file(state, host, chobolo_path, skip_confirm, secrets_text=None):
    if secrets_text is None:
        raise RuntimeError("legacy-secret-file needs secrets: run chaos apply with -s")
    path = OmegaConf.load(chobolo_path).legacy_secret_file.path
    token = yaml.safe_load(secrets_text)["app"]["token"]
    add_op(
        state,
        files.put,
        name=f"legacy-secret-file: write {path}",
        src=io.StringIO(token),
        dest=path,
        mode="600",
        host=host,
    )

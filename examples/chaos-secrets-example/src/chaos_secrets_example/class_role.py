"""``secret-file``: a class role that needs a secret and writes it to a private file.

Ch-obolo::

    secret_file:
      path: /etc/app/token     # where the token goes (mode 0600)

Secrets file (sops-encrypted)::

    app:
      token: s3cr3t-value
"""

from __future__ import annotations

import io

from chaos.lib.args.dataclasses import Delta
from chaos.lib.roles.role import Role
from pyinfra.api.operation import add_op
from pyinfra.facts.files import Sha1File
from pyinfra.operations import files


class SecretFileRole(Role):
    def __init__(self) -> None:
        super().__init__(
            name="secret-file",
            necessary_chobolo_keys=["secret_file"],
            needs_secrets=True,
            necessary_secret_dict_keys=["app"],
        )

    def get_context(self, state, host, chobolo=None, secrets=None):
        path = ((chobolo or {}).get("secret_file") or {}).get("path")
        if not isinstance(path, str) or not path.startswith("/"):
            raise ValueError(f"secret_file.path: must be an absolute path, got {path!r}")
        token = ((secrets or {}).get("app") or {}).get("token")
        if not isinstance(token, str) or not token:
            raise ValueError("secrets: app.token is missing")
        return {"path": path, "token": token, "sha1": host.get_fact(Sha1File, path=path)}

    def delta(self, context=None):
        import hashlib

        context = context or {}
        wanted = hashlib.sha1(context["token"].encode()).hexdigest()
        if context.get("sha1") == wanted:
            return Delta()
        # Delta metadata is how plan() gets the token. chaos shows deltas (and puts them in
        # --json), with every decrypted value replaced by [redacted].
        return Delta(to_add={"files": [context["path"]]}, metadata={"token": context["token"]})

    def plan(self, state, host, delta=Delta()):  # noqa: B008 - the documented signature
        for path in delta.to_add.get("files", []):
            add_op(
                state,
                files.put,
                name=f"secret-file: write {path}",
                src=io.StringIO(delta.metadata["token"]),
                dest=path,
                mode="600",
                host=host,
            )

"""The ``__ROLE__`` role: make sure the directories listed under ``__KEY__`` exist.

Ch-obolo::

    __KEY__:
      - /srv/data
      - /srv/backups

A lifecycle role: ``get_context`` reads facts from the host, ``delta`` says what would change,
and ``plan`` stages pyinfra operations for that host only. chaos shows the delta, asks once,
then executes. ``chaos apply __ROLE__`` (or ``chaos apply __ALIAS__``) runs it.
"""

from __future__ import annotations

import posixpath

from chaos.lib.args.dataclasses import Delta, ResultPayload
from chaos.lib.roles.role import Role
from pyinfra.api.operation import add_op
from pyinfra.facts.files import Directory
from pyinfra.operations import files

CHOBOLO_KEY = "__KEY__"


def wanted_directories(chobolo: dict | None) -> list[str]:
    """The directories the Ch-obolo lists; errors name the key and the bad value."""
    value = (chobolo or {}).get(CHOBOLO_KEY) or []
    if not isinstance(value, list):
        raise TypeError(f"{CHOBOLO_KEY}: expected a list of absolute paths, got {value!r}")
    for path in value:
        if not isinstance(path, str) or not posixpath.isabs(path):
            raise ValueError(f"{CHOBOLO_KEY}: {path!r} is not an absolute path")
    return value


class __ROLE_CLASS__(Role):
    def __init__(self) -> None:
        super().__init__(name="__ROLE__", necessary_chobolo_keys=[CHOBOLO_KEY])

    def get_context(self, state, host, chobolo=None, secrets=None):
        wanted = wanted_directories(chobolo)
        missing = [path for path in wanted if not host.get_fact(Directory, path=path)]
        return {"missing": missing}

    def delta(self, context=None):
        missing = (context or {}).get("missing", [])
        # An empty delta means "already in the desired state": plan is then not called.
        return Delta(to_add={"directories": missing} if missing else {})

    def plan(self, state, host, delta=Delta()):  # noqa: B008 - the documented signature
        created = []
        for path in delta.to_add.get("directories", []):
            # host=host: without it pyinfra stages the operation on every host of the run.
            add_op(
                state,
                files.directory,
                name=f"__ROLE__: directory {path}",
                path=path,
                present=True,
                host=host,
            )
            created.append(path)
        return ResultPayload(True, message=[f"{len(created)} to create"], data={"created": created})


# What `chaos init chobolo` writes into a new Ch-obolo for this role.
__KEYS_OBJECT__ = [{CHOBOLO_KEY: ["/tmp/__ROLE__-demo"]}]

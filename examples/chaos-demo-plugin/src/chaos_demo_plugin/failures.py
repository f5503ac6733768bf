"""Roles that fail on purpose, so the host's error reporting can be tested.

- ``demo-fail`` plans a command that exits 3 after writing "demo failure" to stderr: the
  failure happens while operations execute.
- ``demo-raise`` raises ``RuntimeError("demo delta failure")`` from ``delta``: the failure
  happens before anything is planned.
"""

from __future__ import annotations

from chaos.lib.args.dataclasses import Delta, ResultPayload
from chaos.lib.roles.role import Role
from pyinfra.api.operation import add_op
from pyinfra.operations import server

FAILING_COMMAND = "sh -c 'echo demo failure >&2; exit 3'"


class DemoFailRole(Role):
    """Uses the default context/delta (which always reports a change) and a failing plan."""

    def __init__(self) -> None:
        super().__init__(name="demo-fail")

    def plan(self, state, host, delta=Delta()):  # noqa: B008 - the documented signature
        add_op(
            state,
            server.shell,
            name="demo-fail: failing command",
            commands=[FAILING_COMMAND],
            host=host,
        )
        return ResultPayload(True, message=["planned a command that exits 3"])


class DemoRaiseRole(Role):
    """Raises from ``delta``; ``plan`` must never be reached."""

    def __init__(self) -> None:
        super().__init__(name="demo-raise")

    def delta(self, context=None):
        raise RuntimeError("demo delta failure")

    def plan(self, state, host, delta=Delta()):  # noqa: B008
        raise AssertionError("demo-raise: plan must not run after delta failed")

"""pytest fixtures over support/sshd.py: real sshd targets for fleet tests.

Registered in tests/e2e/conftest.py by importing ``ssh_hosts``. Without root or network
namespaces the tests that use it skip, and under CHAOS_TEST_STRICT=1 they fail, saying why.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator

import pytest

from support import sshd

STRICT = os.environ.get("CHAOS_TEST_STRICT") == "1"
_checked: list[str | None] = []  # the requirements check, once per session


def _require() -> None:
    if not _checked:
        _checked.append(sshd.requirements_problem())
        if _checked[0] is None:
            sshd.reap_stale()  # what a killed earlier run left behind (its pid is gone)
    problem = _checked[0]
    if problem is not None:
        if STRICT:
            pytest.fail(f"sshd test hosts unavailable: {problem}", pytrace=False)
        pytest.skip(f"sshd test hosts unavailable: {problem}")


@pytest.fixture
def ssh_hosts() -> Iterator[Callable[..., list[sshd.SshHost]]]:
    """ssh_hosts(3, password_host=1, unreachable=None) -> three started SshHost.

    Indexes in `password_host` get password login for a throwaway user (``.user``,
    ``.password``); those in `unreachable` get no sshd (connections are refused). May be called
    more than once; every host is removed when the test ends, whatever its outcome."""
    _require()
    made: list[sshd.SshHost] = []

    def factory(
        count: int = 1,
        *,
        password_host: int | Iterable[int] | None = None,
        unreachable: int | Iterable[int] | None = None,
        port: int = 22,
    ) -> list[sshd.SshHost]:
        hosts = sshd.start_hosts(
            count, password_host=password_host, unreachable=unreachable, port=port
        )
        made.extend(hosts)
        return hosts

    yield factory
    errors = []
    for host in made:
        try:
            host.close()
        except sshd.SshdError as error:
            errors.append(str(error))
    if errors:
        pytest.fail("; ".join(errors), pytrace=False)

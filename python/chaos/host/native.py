"""Real OS threads, locks and sleeps, also once gevent has monkey-patched the host.

A host that will drive pyinfra patches the standard library with gevent before anything else
is imported (``__main__``), as pyinfra's own CLI does, so that paramiko's per-host transports
are greenlets that cooperate instead of OS threads that block the hub. A few things must stay
real threads even then: the askpass server blocks in ``open()`` on a FIFO, and the interrupt
watchdog must fire even if the main thread is stuck in C code. They take their primitives from
here. Without the patch these are simply the standard ones.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any


def _original(module: str, name: str) -> Any:
    monkey = sys.modules.get("gevent.monkey")
    if monkey is not None and monkey.is_module_patched(module):
        return monkey.get_original(module, name)
    return getattr(sys.modules.get(module) or __import__(module), name)


def start_thread(target: Callable[..., Any], *args: Any) -> None:
    """Runs ``target(*args)`` on a new OS thread (daemon: it never keeps the process alive)."""
    _original("_thread", "start_new_thread")(target, args)


def allocate_lock() -> Any:
    return _original("_thread", "allocate_lock")()


def get_ident() -> int:
    """The OS thread's identity: the same for every greenlet of a thread."""
    return _original("_thread", "get_ident")()


def sleep(seconds: float) -> None:
    """Blocks the OS thread (not a greenlet switch): for signal handlers and native threads."""
    _original("time", "sleep")(seconds)


def poll() -> Any:
    """``select.poll()``: gevent's patch removes it (it cannot be made cooperative)."""
    return _original("select", "poll")()

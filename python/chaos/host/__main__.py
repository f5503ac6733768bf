"""``python -m chaos.host --request-fd R --reply-fd W``: see docs/protocol.md."""

import sys

if "--no-warm" not in sys.argv:
    # A host that will drive pyinfra patches the standard library with gevent first, before
    # anything else is imported, as pyinfra's own CLI does: paramiko's per-host SSH transports
    # are then greenlets that take turns, instead of OS threads contending for the interpreter
    # lock and blocking the hub while a channel opens (measured: a 30-host fleet run 1.24x
    # pyinfra's time unpatched, 0.79x patched; docs/performance.md). What must stay a real
    # thread takes it from chaos.host.native. A host that only serves metadata (--no-warm)
    # never imports gevent.
    try:
        from gevent import monkey
    except ImportError:
        monkey = None  # no pyinfra here either: the hello says so
    if monkey is not None:
        # gevent scans every package's entry points for its plugins while it patches.
        from chaos.host.entry_points import skipping_broken_entry_points

        with skipping_broken_entry_points():
            monkey.patch_all()

import gc
import os
from contextlib import suppress

from chaos.host.server import EXIT_INTERRUPTED, EXIT_OK, main

try:
    code = main()
except KeyboardInterrupt:
    code = EXIT_INTERRUPTED
for stream in (sys.stdout, sys.stderr):
    with suppress(OSError, ValueError, AttributeError):
        stream.flush()
if code != EXIT_OK:
    # No atexit handlers or thread joins on the way out of an interrupt or error: leftover plugin
    # threads must not keep the process alive.
    os._exit(code)
# A normal exit, but without the garbage collector: the interpreter's teardown runs full
# collections over every object pyinfra, gevent and paramiko created, ~0.15 s the core would
# spend waiting for the exit. Objects are still released by reference counting.
gc.freeze()
sys.exit(code)

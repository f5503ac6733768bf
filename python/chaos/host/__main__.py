"""``python -m chaos.host --request-fd R --reply-fd W``: see docs/protocol.md."""

import gc
import os
import sys
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

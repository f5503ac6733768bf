"""``python -m chaos.host --request-fd R --reply-fd W``: see docs/protocol.md."""

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
sys.exit(code)

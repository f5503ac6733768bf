"""The role host: the Python process in which the native core runs plugin code.

The core starts ``<python> -m chaos.host --request-fd R --reply-fd W`` from the plugin
environment's interpreter and speaks newline-delimited JSON over those two pipes; the protocol is
specified in ``docs/protocol.md``. stdin/stdout/stderr stay the user's terminal, so plugin code
that prints or prompts keeps working.

Modules:
    server           lifecycle: hello, handshake, request loop, SIGINT, exit codes
    wire             framing and JSON-safe conversion
    errors           error values sent back to the core
    loading          resolving ``module:attr`` entry points and telling role kinds apart
    manifest         the ``manifest`` method (explanations, keys, role metadata)
    apply            the ``apply.*`` methods (one apply session per host process at a time)
    params           the parameters of those requests, checked
    chobolo          loading a Ch-obolo (OmegaConf; alias bombs refused)
    deltas           reading what a class role's ``delta()`` returned
    logtap           pyinfra's log: facts about operations, and ``log`` events
    operations       one record per staged operation, shared by the session and the log tap
    pyinfra_adapter  every pyinfra call; a pyinfra upgrade should touch only this file
    native           real threads, locks and sleeps after gevent's monkey-patching
    entry_points     scanning entry points past another package's broken entry_points.txt

Importing this package must stay cheap: the host sends its hello before importing pyinfra.
"""

PROTOCOL_VERSION = 1

"""Error values sent to the core.

An error is a JSON object with ``kind`` and ``message`` and, when known, the context a user needs
to act on it: ``plugin``, ``entry_point``, ``role``, ``host``, ``phase``, ``file``, ``line``,
``column``, ``key``, ``traceback`` (the tail of the Python traceback). Fields that are not known
are left out rather than sent as null. The kinds are listed in docs/protocol.md.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

# Lines of formatted traceback kept: enough for the plugin's own frames and the exception line,
# small enough to print under an error message.
TRACEBACK_TAIL_LINES = 25


class HostError(Exception):
    """Raised inside the host to turn into an ``ok: false`` reply.

    ``errors`` lists every failure when several were collected (the top-level fields then
    describe the first of them).
    """

    def __init__(self, kind: str, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.fields = {k: v for k, v in fields.items() if v is not None}

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message, **self.fields}

    @classmethod
    def aggregate(cls, errors: list[dict[str, Any]]) -> HostError:
        """The first error at the top level (a client that shows one error shows it whole),
        every error, the first included, in ``errors``."""
        first = dict(errors[0])
        kind = first.pop("kind")
        message = first.pop("message")
        return cls(kind, message, **first, errors=errors)


def attempt(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, BaseException | None]:
    """Call plugin code (or anything that may fail in ways the host cannot predict) and return
    ``(value, None)`` or ``(None, exception)``.

    Plugin code may raise anything, SystemExit included, and the host must report it rather than
    die. KeyboardInterrupt is the one exception that passes: it means the user pressed Ctrl-C.
    """
    try:
        return fn(*args, **kwargs), None
    except KeyboardInterrupt:
        raise
    except BaseException as e:  # noqa: BLE001 - see the docstring
        return None, e


def traceback_tail(exc: BaseException, lines: int = TRACEBACK_TAIL_LINES) -> str:
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return "\n".join(text.rstrip("\n").splitlines()[-lines:])


def describe_exception(exc: BaseException) -> str:
    """``Type: text`` the way a user wants to read it (SystemExit gets its own wording)."""
    if isinstance(exc, SystemExit):
        return f"plugin code called sys.exit({exc.code!r})"
    text = str(exc)
    name = type(exc).__name__
    return f"{name}: {text}" if text else name


def error_from_exception(kind: str, exc: BaseException, **fields: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "message": describe_exception(exc),
        **{k: v for k, v in fields.items() if v is not None},
        "traceback": traceback_tail(exc),
    }

"""Framing: one JSON object per line, UTF-8, over two inherited pipe file descriptors.

Writes are unbuffered and whole-line, under a lock, so a message is never interleaved with
another (log records may arrive from plugin threads). A SIGINT that lands while a line is being
written is held back until the line is complete (see ``server.Interrupts``), so the core never
receives half a message.
"""

from __future__ import annotations

import json
import math
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from chaos.host.errors import attempt

# How deep jsonable() follows nested containers before giving up with a string: plugin data is
# shallow, and a bound keeps a pathological object from exhausting the stack.
_MAX_DEPTH = 64


class ProtocolError(Exception):
    """The peer sent something that is not a protocol message; the stream cannot continue."""


def jsonable(value: Any, _depth: int = 0, _seen: frozenset[int] = frozenset()) -> Any:
    """Return ``value`` as plain JSON data.

    Strings stay whole, numbers and booleans and None stay as they are, mappings become objects
    with string keys, lists/tuples/sets (and other non-string sequences such as OmegaConf's
    ListConfig) become arrays (sets sorted when their items allow it, so output is stable),
    payload objects with ``to_dict`` become their dict, bytes are decoded as UTF-8 with
    replacement, non-finite floats and everything else become ``str(value)``.
    """
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if id(value) in _seen:
        return "<recursion>"
    if _depth >= _MAX_DEPTH:
        return "<too deep>"
    seen = _seen | {id(value)}
    depth = _depth + 1
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict) and not isinstance(value, Mapping):
        plain, exc = attempt(to_dict)
        return _safe_str(value) if exc is not None else jsonable(plain, depth, seen)
    if isinstance(value, Mapping):
        return {_key(k): jsonable(v, depth, seen) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        items = list(value)
        try:
            items.sort()
        except TypeError:
            items.sort(key=repr)
        return [jsonable(v, depth, seen) for v in items]
    if isinstance(value, (list, tuple)):
        return [jsonable(v, depth, seen) for v in value]
    # OmegaConf ListConfig and similar: iterable, indexable, not a mapping or a string.
    if hasattr(value, "__getitem__") and hasattr(value, "__len__") and hasattr(value, "__iter__"):
        items, exc = attempt(list, value)
        return _safe_str(value) if exc is not None else [jsonable(v, depth, seen) for v in items]
    return _safe_str(value)


def _key(key: Any) -> str:
    return key if isinstance(key, str) else _safe_str(key)


def _safe_str(value: Any) -> str:
    text, exc = attempt(str, value)
    return f"<unprintable {type(value).__name__}>" if exc is not None else text


def encode(message: Mapping[str, Any]) -> bytes:
    """One protocol line. Lone surrogates (from undecodable file names) become '?'."""
    text = json.dumps(message, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text + "\n").encode("utf-8", "replace")


class Channel:
    """The host's end of the two pipes."""

    def __init__(
        self,
        request_fd: int,
        reply_fd: int,
        write_guard: Callable[[], AbstractContextManager[Any]] | None = None,
    ) -> None:
        # Children (pyinfra's local commands, anything a role spawns) must not inherit the
        # pipes: a daemon holding the reply pipe open would keep the core from seeing EOF.
        os.set_inheritable(request_fd, False)
        os.set_inheritable(reply_fd, False)
        self._reader = os.fdopen(request_fd, "rb", buffering=65536, closefd=True)
        self._reply_fd = reply_fd
        self._lock = threading.Lock()
        self._write_guard = write_guard or nullcontext
        self.closed = False

    def send(self, message: Mapping[str, Any]) -> None:
        """Write one message; raises BrokenPipeError (an OSError) when the core is gone."""
        data = encode(message)
        with self._write_guard(), self._lock:
            view = memoryview(data)
            while view:
                written = os.write(self._reply_fd, view)
                view = view[written:]

    def event(self, event: str, **fields: Any) -> None:
        self.send({"type": "event", "event": event, **fields})

    def messages(self) -> Iterator[dict[str, Any]]:
        """Yield decoded messages until EOF. Raises ProtocolError on a line that is not a JSON
        object."""
        while True:
            line = self._reader.readline()
            if not line:
                return
            if not line.strip():
                continue
            try:
                message = json.loads(line.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as e:
                raise ProtocolError(f"request line is not UTF-8 JSON: {e}") from None
            if not isinstance(message, dict):
                raise ProtocolError("request line is not a JSON object")
            yield message

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for closer in (self._reader.close, lambda: os.close(self._reply_fd)):
            try:
                closer()
            except OSError:
                pass

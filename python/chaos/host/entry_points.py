"""Reading entry points without tripping on another package's broken entry_points.txt.

importlib gives up on the first entry_points.txt it cannot parse, so one broken package anywhere
in the environment would stop everything that scans entry points: pyinfra (for connectors) and
gevent (for its plugins, when the host patches the standard library). Both scans go through
here. Importing this module must stay cheap: it runs before the hello.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_reported_broken: set[str] = set()


def entry_points_skipping_broken(**params: Any) -> Any:
    """``importlib.metadata.entry_points(**params)``, without the distributions whose
    entry_points.txt cannot be read or parsed (first distribution of a name wins, as there)."""
    from importlib import metadata

    found = []
    seen: set[str] = set()
    for dist in metadata.distributions():
        name = getattr(dist, "_normalized_name", None)
        if name is not None:
            if name in seen:
                continue
            seen.add(name)
        try:
            found.extend(dist.entry_points)
        except Exception as e:  # noqa: BLE001 - any parse failure means "skip this file"
            where = str(getattr(dist, "_path", "?"))
            if where not in _reported_broken:
                _reported_broken.add(where)
                file = os.path.join(where, "entry_points.txt")
                reason = f"{type(e).__name__}: {e}".encode("utf-8", "backslashreplace").decode()
                sys.stderr.write(
                    f"chaos: warning: ignoring unreadable entry points in {file!r}: {reason}\n"
                )
    return metadata.EntryPoints(found).select(**params)


@contextmanager
def skipping_broken_entry_points(backport: bool = False) -> Iterator[None]:
    """``importlib.metadata.entry_points`` skips unreadable files while this is active; with
    ``backport``, so does ``importlib_metadata.entry_points`` when that package is installed
    (pyinfra prefers it; importing it is not free, so only callers that need it ask)."""
    import importlib.util
    from importlib import metadata

    patched = [(metadata, metadata.entry_points)]
    if backport and importlib.util.find_spec("importlib_metadata") is not None:
        import importlib_metadata

        patched.append((importlib_metadata, importlib_metadata.entry_points))
    for module, _ in patched:
        module.entry_points = entry_points_skipping_broken
    try:
        yield
    finally:
        for module, original in patched:
            module.entry_points = original

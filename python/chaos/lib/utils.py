"""Small helpers documented for plugin authors."""

from __future__ import annotations

import shutil

__all__ = ["checkDep"]


def checkDep(bin: str) -> bool:
    """Return True if the executable ``bin`` is found on the user's PATH.

    Unlike the original, which looked only in a fixed list of system directories, this searches
    the same PATH the tool will later be run from, so binaries in ~/.local/bin or a Nix profile
    count as installed.
    """
    return shutil.which(bin) is not None

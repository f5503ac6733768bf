"""Write real wheel files for generated plugins, without a build backend.

A wheel is a zip with a ``.dist-info`` directory; writing one directly takes milliseconds,
which lets tests and benchmarks make hundreds of plugin variants (duplicates, broken
entry_points.txt, ...) that pip then installs for real.
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def entry_points_text(entry_points: dict[str, dict[str, str]]) -> str:
    """Render ``{group: {name: value}}`` as entry_points.txt."""
    out = []
    for group, items in entry_points.items():
        out.append(f"[{group}]")
        out.extend(f"{name} = {value}" for name, value in items.items())
        out.append("")
    return "\n".join(out)


def write_wheel(
    directory: Path,
    name: str,
    version: str = "1.0.0",
    entry_points: dict[str, dict[str, str]] | None = None,
    modules: dict[str, str] | None = None,
    raw_entry_points: str | None = None,
) -> Path:
    """Write ``<name>-<version>-py3-none-any.whl`` into ``directory`` and return its path.

    ``modules`` maps a path inside the wheel (``my_plugin/roles.py``) to its source.
    ``raw_entry_points`` replaces the generated entry_points.txt verbatim (for broken files).
    """
    directory.mkdir(parents=True, exist_ok=True)
    stem = name.replace("-", "_")
    dist_info = f"{stem}-{version}.dist-info"
    files: dict[str, bytes] = {}
    for path, source in (modules or {}).items():
        files[path] = source.encode()
    files[f"{dist_info}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: generated for tests\n"
    ).encode()
    files[f"{dist_info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: chaos-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    if raw_entry_points is not None:
        files[f"{dist_info}/entry_points.txt"] = raw_entry_points.encode()
    elif entry_points:
        files[f"{dist_info}/entry_points.txt"] = entry_points_text(entry_points).encode()
    record = [_record_line(path, data) for path, data in files.items()]
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    wheel = directory / f"{stem}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, data in files.items():
            zf.writestr(path, data)
    return wheel

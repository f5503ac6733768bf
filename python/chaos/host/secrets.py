"""What each role receives from the decrypted secrets file (docs/secrets.md, §5.4 of the spec).

The core decrypts once and sends ``secrets_document = {"data": {...}, "text": "..."}`` with
apply.prepare, over the protocol pipe only. A class role that declares ``needs_secrets`` gets a
dict with one entry per name in ``necessary_secret_dict_keys`` (a dot path; ``"."`` merges the
whole document in); a name that is not in the file is *missing*, and the role is skipped rather
than run with less than it asked for. A class role that does not need secrets gets ``{}``. A
legacy function that takes a fifth parameter gets the decrypted text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chaos.host.errors import HostError
from chaos.host.loading import CLASS, LoadedRole

_ABSENT = object()


def lookup(data: Any, path: str) -> Any:
    """``a.b.c`` in nested mappings; ``_ABSENT`` when any step is missing."""
    node = data
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return _ABSENT
        node = node[part]
    return node


def document_param(value: Any) -> tuple[dict[str, Any], str] | None:
    """The checked ``secrets_document`` parameter: (data, text), or None when absent."""
    if value is None:
        return None
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("data"), dict)
        or not isinstance(value.get("text"), str)
    ):
        raise HostError("bad_params", "'secrets_document' must be {data: object, text: string}")
    return value["data"], value["text"]


def role_secrets(role: LoadedRole, data: dict[str, Any], text: str) -> tuple[Any, list[str]]:
    """(what the role receives, the names it asked for that the file does not have)."""
    if role.kind != CLASS:
        return text, []
    if not role.needs_secrets:
        return {}, []
    out: dict[str, Any] = {}
    missing: list[str] = []
    for key in role.necessary_secret_dict_keys:
        if key == ".":
            out.update(data)
            continue
        value = lookup(data, key)
        if value is _ABSENT:
            missing.append(key)
        else:
            out[key] = value
    return out, missing

"""Fleet restrictions: which roles may run on which host (docs/fleet.md, "Restrictions").

``allow_list: {host: {role: true}}`` names the only roles a host gets; ``black_list: {host:
{role: true}}`` names roles it never gets, and ``black_list: {host: {}}`` keeps it from every
role. A role is named by its tag or by its class role's ``name``. A role both allowed and
blacklisted for one host is a conflict: an error for that host, never a guess. (The original
tool computed skips but never applied them, and read the lists from the wrong place.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from chaos.host.errors import HostError

SKIP = "restricted"
CONFLICT = "restriction_conflict"


class Decision(NamedTuple):
    kind: str  # SKIP or CONFLICT
    message: str


def validate(restrictions: Any) -> dict[str, dict[str, dict[str, bool]]]:
    """The lists as plain dicts, or HostError bad_params naming what is malformed."""
    if restrictions is None:
        return {}
    if not isinstance(restrictions, Mapping):
        raise HostError("bad_params", "'restrictions' must be a mapping of allow_list / black_list")
    out: dict[str, dict[str, dict[str, bool]]] = {}
    for list_name, hosts in restrictions.items():
        if list_name not in ("allow_list", "black_list"):
            raise HostError(
                "bad_params", f"restrictions: unknown list {list_name!r} (allow_list, black_list)"
            )
        if hosts is None:
            continue
        if not isinstance(hosts, Mapping):
            raise HostError("bad_params", f"restrictions.{list_name} must map hosts to roles")
        out[list_name] = {}
        for host, roles in hosts.items():
            if roles is None:
                roles = {}
            if not isinstance(roles, Mapping) or not all(
                isinstance(v, bool) for v in roles.values()
            ):
                raise HostError(
                    "bad_params",
                    f"restrictions.{list_name}.{host} must map role names to true or false",
                )
            out[list_name][str(host)] = {str(k): v for k, v in roles.items()}
    return out


def decide(
    restrictions: Mapping[str, Mapping[str, Mapping[str, bool]]], host: str, names: Iterable[str]
) -> Decision | None:
    """None when the role (known by any of ``names``) may run on ``host``."""
    names = [n for n in names if n]
    allowed = restrictions.get("allow_list", {}).get(host)
    blocked = restrictions.get("black_list", {}).get(host)
    shown = names[0]
    in_allow = allowed is not None and any(allowed.get(n) is True for n in names)
    in_black = blocked is not None and any(blocked.get(n) is True for n in names)
    if in_allow and in_black:
        return Decision(
            CONFLICT,
            f"role {shown!r} is both allowlisted and blacklisted for host {host!r}; remove it from"
            " one of the lists",
        )
    if in_black:
        return Decision(SKIP, f"role {shown!r} is blacklisted for host {host!r}")
    if blocked is not None and not blocked and allowed is None:
        return Decision(SKIP, f"host {host!r} is blacklisted for every role")
    if allowed is not None and not in_allow:
        return Decision(SKIP, f"host {host!r} has an allow_list without role {shown!r}")
    return None

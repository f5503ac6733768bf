"""Loading a Ch-obolo: YAML with OmegaConf interpolation, refused before it can exhaust memory."""

from __future__ import annotations

import os
from typing import Any

from chaos.host.errors import HostError

# A Ch-obolo's YAML aliases (``*name``) may make it this much larger than it is written, and
# always this many nodes: a legitimate ``<<: *defaults`` fits, a small file that expands to
# billions of nodes (an "alias bomb") does not.
ALIAS_EXPANSION_FACTOR = 2
ALIAS_EXPANSION_FLOOR = 10_000
# OmegaConf (>= 2.4) applies its own limit, 10,000 nodes after expansion by default, to every
# load, whether or not the file uses aliases: a large plain Ch-obolo would be refused, by the
# host and by every plugin that loads it, with a message about aliases. The host measures the
# file itself and raises OmegaConf's limit (for the plugins too) to what it has allowed.
OMEGACONF_LIMIT_ENV = "OMEGACONF_MAX_YAML_EXPANDED_NODES"
# OmegaConf >= 2.4 also refuses, whatever the limit, a file its aliases make more than 100 times
# larger once it is past 1,000 nodes. chaos applies the same rule first, with its own message:
# otherwise the host, and every plugin loading the same file, would fail with OmegaConf's words
# labelled as invalid YAML.
ALIAS_EXPANSION_RATIO = 100
ALIAS_EXPANSION_RATIO_FROM = 1_000


def chobolo_node_counts(yaml: Any, path: str) -> tuple[int, int]:
    """(nodes as written, nodes once every alias is expanded) of a YAML file.

    Counted on the composed node graph, where an alias is the very node it names: each node is
    visited once, so the cost follows the file's size, not its expansion. Raises HostError for
    an alias that refers to a node containing it (a YAML document that never ends).
    """
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, "rb") as f:
        root = yaml.compose(f, Loader=loader)
    if root is None:
        return 0, 0

    def children(node: Any) -> list[Any]:
        if isinstance(node, yaml.MappingNode):
            return [part for pair in node.value for part in pair]
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        return []

    expanded: dict[int, int] = {}
    visiting: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            visiting.discard(key)
            expanded[key] = 1 + sum(expanded[id(c)] for c in children(node))
            continue
        if key in expanded:
            continue
        if key in visiting:
            mark = node.start_mark
            raise HostError(
                "chobolo",
                "a YAML alias refers to a node that contains it, so the Ch-obolo never ends",
                file=path,
                line=mark.line + 1,
                column=mark.column + 1,
            )
        visiting.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in children(node))
    return len(expanded), expanded[id(root)]


def load_chobolo(path: str) -> dict[str, Any]:
    """The whole Ch-obolo as a plain dict with ``${...}`` interpolations resolved."""
    try:
        import yaml
        from omegaconf import OmegaConf
    except ImportError as e:
        raise HostError("internal", f"cannot import OmegaConf: {e}") from e
    try:
        written, expanded = chobolo_node_counts(yaml, path)
        allowed = max(ALIAS_EXPANSION_FLOOR, ALIAS_EXPANSION_FACTOR * written)
        if expanded > ALIAS_EXPANSION_RATIO_FROM and expanded > ALIAS_EXPANSION_RATIO * written:
            raise HostError(
                "chobolo",
                f"the Ch-obolo's YAML aliases (*name) expand it to {expanded:,} nodes from "
                f"{written:,} as written, more than {ALIAS_EXPANSION_RATIO} times; OmegaConf (which "
                "plugins load it with) refuses that. Write the repeated parts out instead of "
                "referring to them",
                file=path,
            )
        if expanded > allowed:
            raise HostError(
                "chobolo",
                f"the Ch-obolo's YAML aliases (*name) expand it to {expanded:,} nodes from "
                f"{written:,} as written; chaos allows {allowed:,} (twice the written size, or "
                f"{ALIAS_EXPANSION_FLOOR:,}), so that a small file cannot exhaust memory. Write the "
                "repeated parts out instead of referring to them",
                file=path,
            )
        os.environ[OMEGACONF_LIMIT_ENV] = str(max(allowed, expanded) + ALIAS_EXPANSION_FLOOR)
        cfg = OmegaConf.load(path)
    except HostError:
        raise
    except OSError as e:
        raise HostError("chobolo", f"cannot read Ch-obolo: {e.strerror or e}", file=path) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        problem = getattr(e, "problem", None) or str(e)
        context = getattr(e, "context", None)
        raise HostError(
            "chobolo",
            f"invalid YAML: {context + ': ' if context else ''}{problem}",
            file=path,
            line=mark.line + 1 if mark is not None else None,
            column=mark.column + 1 if mark is not None else None,
        ) from None
    except Exception as e:
        raise HostError("chobolo", f"cannot load Ch-obolo: {_first_line(e)}", file=path) from e
    try:
        data = OmegaConf.to_container(cfg, resolve=True)
    except Exception as e:
        raise HostError(
            "chobolo",
            f"cannot resolve interpolation: {_first_line(e)}",
            file=path,
            key=getattr(e, "full_key", None) or None,
        ) from e
    if not isinstance(data, dict):
        raise HostError("chobolo", "the top level of a Ch-obolo must be a mapping", file=path)
    return data


def _first_line(e: BaseException) -> str:
    text = getattr(e, "msg", None) or str(e) or type(e).__name__
    return str(text).strip().splitlines()[0]

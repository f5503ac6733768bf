"""Explanations for ``chaos explain __ROLE__`` and its sub-topics."""

from __future__ import annotations

from typing import ClassVar


class __EXPLAIN_CLASS__:
    # The order of `chaos explain __ROLE__.list`.
    _order: ClassVar[list[str]] = ["usage", "keys"]

    def explain___METHOD__(self, complexity="basic"):
        text = {
            "concept": "__ROLE__: directories from the Ch-obolo",
            "what": "Makes sure every directory listed under `__KEY__` in the Ch-obolo exists.",
            "why": "A starting point: replace it with what your plugin should manage.",
            "how": "Asks pyinfra whether each directory exists, then creates the missing ones"
            " with `files.directory`.",
            "examples": [{"yaml": "__KEY__:\n  - /srv/data\n  - /srv/backups\n"}],
            "security": "Directories are created as the user chaos runs as; run as root, they"
            " belong to root.",
        }
        if complexity != "basic":
            text["commands"] = ["chaos apply __ROLE__ --dry", "chaos apply __ROLE__"]
        if complexity == "advanced":
            text["technical"] = (
                "A Role class: get_context reads the Directory fact for each path, delta lists"
                " the missing ones, plan stages one files.directory operation per path with"
                " host=host."
            )
            text["files"] = ["each path listed under __KEY__"]
        return text

    def explain_usage(self, complexity="basic"):
        return {
            "concept": "Using __ROLE__",
            "what": "List directories in the Ch-obolo, then apply the role.",
            "examples": [{"yaml": "# ch-obolo.yml\n__KEY__:\n  - /srv/data\n"}],
            "commands": ["chaos apply __ROLE__ -c ch-obolo.yml", "chaos apply __ALIAS__ --dry"],
        }

    def explain_keys(self, complexity="basic"):
        return {
            "concept": "Ch-obolo keys of __ROLE__",
            "what": "`__KEY__`: a list of absolute directory paths.",
            "how": "`chaos init chobolo __ROLE__` writes an example.",
        }

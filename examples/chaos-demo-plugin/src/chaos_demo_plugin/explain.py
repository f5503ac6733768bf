"""Explanations for ``chaos explain demo-files`` (and ``demo-files.layout-rules``)."""

from __future__ import annotations

from typing import ClassVar


class DemoFilesExplain:
    # Sub-topic names as users type them; `layout-rules` maps to explain_layout_rules.
    _order: ClassVar[list[str]] = ["layout-rules", "removal"]

    def explain_demo_files(self, detail_level="basic"):
        return {
            "concept": "Declarative files",
            "what": "Keeps the files of one directory exactly as the Ch-obolo lists them.",
            "why": "A small, safe role to watch chaos compute a delta and apply it.",
            "how": "Reads the directory with pyinfra facts, compares SHA-1 sums, then writes"
            " changed files and removes unlisted ones.",
            "technical": "Lifecycle role: get_context (facts FindFiles, Sha1File), delta,"
            " plan (files.directory, files.put, files.file).",
            "security": "Everything under demo_files.root that is not listed is deleted:"
            " point root at a directory used only for this demo.",
            "files": ["<demo_files.root>/*"],
            "examples": [
                {
                    "yaml": "demo_files:\n  root: /tmp/chaos-demo\n  files:\n"
                    "    hello.txt: |\n      hello from chaos\n"
                }
            ],
            "equivalent": ["install -D -m 644 hello.txt /tmp/chaos-demo/hello.txt"],
        }

    def explain_layout_rules(self, detail_level="basic"):
        return {
            "concept": "Layout rules",
            "what": "File names are plain names directly under root; no sub-directories.",
            "why": "Keeps the comparison between the Ch-obolo and the disk one level deep.",
            "validation": "A name containing '/' or equal to '.' or '..' is rejected.",
        }

    def explain_removal(self, detail_level="basic"):
        return {
            "concept": "Removal",
            "what": "Files under root that the Ch-obolo does not list are removed.",
            "security": "Removal is not recoverable; review the delta before confirming.",
        }

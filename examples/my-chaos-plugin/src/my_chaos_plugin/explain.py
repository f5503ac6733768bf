"""Explanations for ``chaos explain my-role``."""

from typing import ClassVar


class MyRoleExplain:
    _order: ClassVar[list[str]] = ["usage"]  # Controls the order in `explain my-role.list`

    def explain_my_role(self, detail_level="basic"):
        return {
            "concept": "My Custom Role",
            "what": "This role ensures a specific directory exists.",
            "why": "To demonstrate how to create a Ch-aOS plugin.",
            "how": "It uses the `files.directory` operation from pyinfra.",
        }

    def explain_usage(self, detail_level="basic"):
        return {
            "concept": "Usage Example",
            "examples": [{"yaml": "# Run the role\nchaos apply my-role"}],
        }

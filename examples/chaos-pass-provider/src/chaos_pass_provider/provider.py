"""Keep sops keys in pass, the gpg-encrypted password store.

chaos does everything around the key (choosing the item, parsing it, handing it to sops in
memory); a provider only reads and stores item text. Here an item is a pass entry name such as
``chaos/laptop-age``; the text travels through pass's stdin and stdout, never its argv.

    chaos secrets export pass -t age -n chaos/laptop-age -k keys.txt --save-to-config
    chaos apply users -s -p pass.age
"""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Any

from chaos.lib.args.dataclasses import (
    ProviderExportArgs,
    ProviderImportArgs,
    ResultPayload,
    SecretsExportPayload,
)
from chaos.lib.secret_backends.providers.base import Provider


def _store_dir() -> str:
    return os.environ.get("PASSWORD_STORE_DIR") or os.path.expanduser("~/.password-store")


def _pass(args: list[str], text: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["pass", *args], input=text, capture_output=True, text=True, check=False, timeout=120
    )


class PassProvider(Provider):
    """pass entries hold the keys; the entry name is the item id."""

    @staticmethod
    def get_cli_name() -> tuple[str, str]:
        return ("from_pass", "pass")

    @staticmethod
    def register_flags(parser: Any) -> None:
        parser.add_argument("--from-pass", nargs=2, metavar=("ENTRY", "KEYTYPE"))

    @staticmethod
    def register_export_subcommands(subparsers: Any) -> Any:
        return subparsers.add_parser("pass", help="Store a key in pass")

    @staticmethod
    def register_import_subcommands(subparsers: Any) -> Any:
        return subparsers.add_parser("pass", help="Read a key from pass")

    @staticmethod
    def get_export_arg_names() -> list[str]:
        return []

    @staticmethod
    def get_import_arg_names() -> list[str]:
        return []

    @classmethod
    def build_export_args(cls, **kwargs: Any) -> ProviderExportArgs:
        return ProviderExportArgs(provider="pass", options=kwargs)

    @classmethod
    def build_import_args(cls, **kwargs: Any) -> ProviderImportArgs:
        return ProviderImportArgs(provider="pass", options=kwargs)

    def get_ephemeral_key_args(self) -> tuple[str, str] | None:
        config = getattr(self.payload, "provider_config", None)
        selected = config.ephemeral_provider_args.get("from_pass") if config else None
        return (selected[0], selected[1]) if selected else None

    def check_status(self) -> tuple[bool, str]:
        if shutil.which("pass") is None:
            return (False, "pass is not installed (Debian: apt install pass)")
        if not os.path.isfile(os.path.join(_store_dir(), ".gpg-id")):
            return (False, f"no password store at {_store_dir()}: run `pass init GPG-ID`")
        return (True, "ready")

    def readKeys(self, item_id: str) -> str:
        shown = _pass(["show", "--", item_id])
        if shown.returncode != 0:
            raise RuntimeError(f"pass show {item_id}: {shown.stderr.strip()}")
        return shown.stdout

    def export_secrets(self, payload: SecretsExportPayload) -> ResultPayload:
        name = payload.item_name
        if _pass(["show", "--", name]).returncode == 0:
            return ResultPayload(
                False, error=f"pass already has an entry {name}; choose another -n"
            )
        inserted = _pass(["insert", "--multiline", "--", name], payload.key_content)
        if inserted.returncode != 0:
            return ResultPayload(False, error=f"pass insert {name}: {inserted.stderr.strip()}")
        return ResultPayload(
            True, message=f"Stored the key in pass as {name}.", data={"item_id": name}
        )

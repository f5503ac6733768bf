"""``myprovider``: a secret provider that keeps sops keys as files in a local directory.

It shows the smallest complete ``Provider``: command-line hooks, reading a key item, storing
one. Real providers talk to a password manager instead of a directory.

Configuration (config.yml)::

    secret_providers:
      myp:
        store_dir: ~/.local/share/my-chaos-plugin/keys   # the default
        age_id: laptop                                    # used by `-p myp.age`

Each item is one file ``<store_dir>/<item_id>`` holding the key text, readable by its owner
only. Use it with ``--from-myp ITEM_ID KEY_TYPE`` or ``-p myp.age``.
"""

from __future__ import annotations

import os
from pathlib import Path

from chaos.lib.args.dataclasses import (
    ProviderExportArgs,
    ProviderImportArgs,
    ResultPayload,
    SecretsContext,
)
from chaos.lib.secret_backends.providers.base import Provider

FLAG_ATTR, CONFIG_NAME = "from_myp", "myp"


def _default_store() -> Path:
    data_home = os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share")
    return Path(data_home) / "my-chaos-plugin" / "keys"


class MyProviderClass(Provider):
    """Keys stored as files in a private directory (``secret_providers.myp.store_dir``)."""

    # ---- command line ----

    @classmethod
    def build_export_args(cls, **kwargs):
        return ProviderExportArgs(
            CONFIG_NAME, {k: kwargs.get(k) for k in cls.get_export_arg_names()}
        )

    @classmethod
    def build_import_args(cls, **kwargs):
        return ProviderImportArgs(
            CONFIG_NAME, {k: kwargs.get(k) for k in cls.get_import_arg_names()}
        )

    @staticmethod
    def get_export_arg_names():
        return ["myp_store"]

    @staticmethod
    def get_import_arg_names():
        return ["myp_store"]

    @staticmethod
    def register_flags(parser):
        parser.add_argument(
            "--from-myp",
            dest=FLAG_ATTR,
            nargs=2,
            metavar=("ITEM_ID", "KEY_TYPE"),
            help="Read the sops key from my-chaos-plugin's key store.",
        )

    @staticmethod
    def register_export_subcommands(subparsers):
        parser = subparsers.add_parser(CONFIG_NAME, help="Store a key in my-chaos-plugin's store.")
        parser.add_argument("--myp-store", dest="myp_store", help="Key store directory.")
        return parser

    @staticmethod
    def register_import_subcommands(subparsers):
        parser = subparsers.add_parser(CONFIG_NAME, help="Read a key from my-chaos-plugin's store.")
        parser.add_argument("--myp-store", dest="myp_store", help="Key store directory.")
        return parser

    @staticmethod
    def get_cli_name():
        return (FLAG_ATTR, CONFIG_NAME)

    # ---- provider operations ----

    def store_dir(self) -> Path:
        """The key store: ``--myp-store``, else config.yml, else the XDG data directory."""
        args = getattr(self.payload, "provider_args", None)
        chosen = (getattr(args, "options", None) or {}).get("myp_store")
        if not chosen:
            providers = self.config.get("secret_providers") or {}
            chosen = (providers.get(CONFIG_NAME) or {}).get("store_dir")
        return Path(chosen).expanduser() if chosen else _default_store()

    def _item_path(self, item_id: str) -> Path:
        if not item_id or "/" in item_id or item_id.startswith("."):
            raise ValueError(f"Invalid item id {item_id!r}: use a plain file name.")
        return self.store_dir() / item_id

    def get_ephemeral_key_args(self):
        context = self.payload if isinstance(self.payload, SecretsContext) else None
        if context is None:
            context = getattr(self.payload, "context", None)
        if context is None:
            return None
        selected = context.provider_config.ephemeral_provider_args.get(FLAG_ATTR)
        return (selected[0], selected[1]) if selected else None

    def readKeys(self, item_id):
        return self._item_path(item_id).read_text(encoding="utf-8")

    def check_status(self):
        store = self.store_dir()
        if not store.is_dir():
            return (False, f"key store {store} does not exist")
        return (True, f"key store {store}")

    def export_secrets(self, payload):
        if not payload.item_name or not payload.key_file:
            return ResultPayload(
                False, error=["myprovider exports need --item-name and --key-file."]
            )
        content = Path(payload.key_file).expanduser().read_text(encoding="utf-8")
        if payload.no_import:
            content = "# NO-IMPORT\n" + content
        target = self._item_path(payload.item_name)
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            # O_EXCL: never overwrite a stored key; 0600: readable by its owner only.
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return ResultPayload(False, error=[f"Item '{payload.item_name}' already exists."])
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
        return ResultPayload(
            True,
            message=[
                f"Stored {payload.key_type} key as item '{payload.item_name}' in {target.parent}."
            ],
            data={"item_id": payload.item_name},
        )

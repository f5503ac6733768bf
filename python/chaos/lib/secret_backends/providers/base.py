"""Base class of secret providers: password managers / secret stores that hold sops keys.

A ``chaos.providers`` entry point names a ``Provider`` subclass. Providers only know how to
*fetch* and *store* key material (``readKeys``, ``export_secrets``) and how to expose themselves
on the command line; running sops with those keys is done here, in methods subclasses may not
override, so that every provider gets the same handling of secret material: keys travel through
an inherited pipe (``SOPS_AGE_KEY_FILE=/dev/fd/N``), never through argv, the environment or a
file, and sops is run from an argument list, never through a shell.

chaos itself never calls these concrete methods: the ``chaos`` commands read the item through
``readKeys`` (the role host's ``provider`` request) and run sops from the core, with age, gpg
and Vault keys (docs/secrets-providers.md). They are kept for code written against the
original SDK: ``decrypt`` and ``updatekeys`` work with age keys; ``edit``, ``import_secrets``
and gpg/vault keys raise ``NotImplementedError`` (use the ``chaos secrets`` commands).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

from chaos.lib.args.dataclasses import (
    ProviderExportArgs,
    ProviderImportArgs,
    ResultPayload,
    SecretsContext,
    SecretsExportPayload,
    SecretsImportPayload,
)

__all__ = ["EphemeralEnv", "Provider"]

# Methods whose behaviour is part of the secrets safety story; see Provider.__init_subclass__.
_PROTECTED = frozenset(
    {
        "edit",
        "setupEphemeralEnv",
        "import_secrets",
        "decrypt",
        "updatekeys",
        "_run_sops_command",
        "name",
    }
)

_NOT_YET = "not in the SDK: use the `chaos secrets` commands (docs/secrets-providers.md)"


class EphemeralEnv(NamedTuple):
    """How to run sops with a provider's keys: environment, shell prefix, inherited fds.

    ``prefix`` is kept for parity with the original API and is always empty: commands are run
    from argument lists, never through a shell.
    """

    env: dict[str, str]
    prefix: str
    pass_fds: tuple[int, ...]


def _safe_path(path: str | os.PathLike[str]) -> str:
    """Keep a path that starts with '-' from being read as an option by sops."""
    text = os.fspath(path)
    return f"./{text}" if text.startswith("-") else text


def _age_identities(text: str) -> str:
    """Normalise age key text read from a provider; refuse text with no secret key in it."""
    lines = [line.lstrip() for line in text.splitlines()]
    if not any(line.startswith("AGE-SECRET-KEY-") for line in lines):
        raise ValueError("the provider's item holds no age secret key (AGE-SECRET-KEY-...)")
    return "\n".join(lines) + "\n"


def _feed_pipe(fd: int, data: bytes) -> None:
    """Write ``data`` into a pipe and close it; give up quietly if the reader went away."""
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
    except OSError:
        pass  # reader closed early (e.g. sops failed before reading the keys)
    finally:
        os.close(fd)


def _sops_with_keys(provider: Provider, args: list[str]) -> subprocess.CompletedProcess[str]:
    """Run sops with the provider's selected keys, or with the user's own setup if none.

    A module function rather than a method so that subclasses cannot replace it.
    """
    if provider.get_ephemeral_key_args() is None:
        return provider._run_sops_command(args)
    with provider.setupEphemeralEnv() as ephemeral:
        return provider._run_sops_command(args, env=ephemeral.env, pass_fds=ephemeral.pass_fds)


class Provider(ABC):
    """A secret store holding sops keys (age, gpg or vault token).

    Subclasses implement the abstract methods below. The concrete methods (``name``, ``edit``,
    ``setupEphemeralEnv``, ``import_secrets``, ``decrypt``, ``updatekeys``,
    ``_run_sops_command``) may not be overridden: defining any of them in a subclass raises
    ``TypeError`` when the class is created.

    Attributes:
        payload: the ``SecretsContext``, ``SecretsExportPayload`` or ``SecretsImportPayload`` of
            the current command.
        config: the global configuration (config.yml) as a dict.
    """

    def __init__(
        self,
        payload: SecretsContext | SecretsExportPayload | SecretsImportPayload | None,
        global_config: Mapping[str, Any] | None,
    ) -> None:
        self.payload = payload
        self.config = global_config if global_config is not None else {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        overridden = sorted(_PROTECTED.intersection(cls.__dict__))
        if overridden:
            raise TypeError(
                f"{cls.__qualname__} may not override {', '.join(overridden)}: these Provider"
                " methods run sops with the keys and must behave the same for every provider;"
                " implement readKeys/export_secrets/check_status instead"
            )

    @property
    def name(self) -> str:
        """Display name: the class name without ``PasswordProvider``/``SecretProvider``."""
        return type(self).__name__.replace("PasswordProvider", "").replace("SecretProvider", "")

    # ---- command-line integration (called on the class, before any instance exists) ----

    @classmethod
    @abstractmethod
    def build_export_args(cls, **kwargs: Any) -> ProviderExportArgs:
        """Pack the parsed values of ``get_export_arg_names()`` into a ProviderExportArgs."""

    @classmethod
    @abstractmethod
    def build_import_args(cls, **kwargs: Any) -> ProviderImportArgs:
        """Pack the parsed values of ``get_import_arg_names()`` into a ProviderImportArgs."""

    @staticmethod
    @abstractmethod
    def get_export_arg_names() -> list[str]:
        """Attribute names of the provider's own ``secrets export`` options."""

    @staticmethod
    @abstractmethod
    def get_import_arg_names() -> list[str]:
        """Attribute names of the provider's own ``secrets import`` options."""

    @staticmethod
    @abstractmethod
    def register_flags(parser: Any) -> None:
        """Add the direct flag (by convention ``nargs=2``: ITEM_ID KEY_TYPE) to ``parser``."""

    @staticmethod
    @abstractmethod
    def register_export_subcommands(subparsers: Any) -> Any:
        """Add and return the ``secrets export <config_name>`` sub-parser."""

    @staticmethod
    @abstractmethod
    def register_import_subcommands(subparsers: Any) -> Any:
        """Add and return the ``secrets import <config_name>`` sub-parser."""

    @staticmethod
    @abstractmethod
    def get_cli_name() -> tuple[str, str]:
        """Return ``(flag_attribute, config_name)``, e.g. ``("from_bw", "bw")``."""

    # ---- provider operations ----

    @abstractmethod
    def get_ephemeral_key_args(self) -> tuple[str, str] | None:
        """Return ``(item_id, key_type)`` selected for this provider, or None if none was."""

    @abstractmethod
    def readKeys(self, item_id: str) -> str:
        """Return the raw key text stored in the item ``item_id``."""

    @abstractmethod
    def check_status(self) -> Any:
        """Raise, or return ``(ok, message)``, when the provider cannot be used right now."""

    @abstractmethod
    def export_secrets(self, payload: SecretsExportPayload) -> ResultPayload:
        """Store the key material described by ``payload`` in the provider."""

    # ---- concrete, protected ----

    def edit(self, secrets_file: str, sops_file: str) -> Any:
        """Context manager yielding ``(cmd, env, pass_fds)`` to run an interactive sops edit."""
        raise NotImplementedError(_NOT_YET)

    def import_secrets(self, payload: SecretsImportPayload) -> ResultPayload:
        """Fetch a key from the provider and install it locally."""
        raise NotImplementedError(_NOT_YET)

    @contextmanager
    def setupEphemeralEnv(self) -> Iterator[EphemeralEnv]:
        """Make the selected item's keys available to a sops child process, in memory only.

        age: the key text goes into an anonymous pipe whose read end the child inherits, and
        ``SOPS_AGE_KEY_FILE`` points at ``/dev/fd/<n>``; an existing ``SOPS_AGE_KEY_FILE`` is
        kept (its keys come first). The pipe is closed when the context exits.
        """
        selected = self.get_ephemeral_key_args()
        if selected is None:
            raise ValueError(f"No key item was selected for provider {self.name}.")
        item_id, key_type = selected
        if key_type != "age":
            raise NotImplementedError(f"{key_type} keys from a provider: {_NOT_YET}")
        status = self.check_status()
        if isinstance(status, tuple) and status and not status[0]:
            detail = status[1] if len(status) > 1 else ""
            raise RuntimeError(f"Provider {self.name} is not ready: {detail}")

        keys = _age_identities(self.readKeys(item_id))
        existing = os.environ.get("SOPS_AGE_KEY_FILE")
        if existing and os.path.isfile(existing):
            with open(existing, encoding="utf-8") as handle:
                keys = handle.read().rstrip("\n") + "\n" + keys

        read_fd, write_fd = os.pipe()
        # A writer thread, because age key files can exceed the pipe buffer and the child only
        # starts reading after we spawn it.
        writer = threading.Thread(
            target=_feed_pipe, args=(write_fd, keys.encode()), name="age-key-pipe", daemon=True
        )
        writer.start()
        env = dict(os.environ)
        env["SOPS_AGE_KEY_FILE"] = f"/dev/fd/{read_fd}"
        try:
            yield EphemeralEnv(env=env, prefix="", pass_fds=(read_fd,))
        finally:
            os.close(read_fd)  # a writer still blocked now gets EPIPE and exits
            writer.join(timeout=5)

    def _run_sops_command(
        self,
        args: Sequence[str],
        env: Mapping[str, str] | None = None,
        pass_fds: Sequence[int] = (),
    ) -> subprocess.CompletedProcess[str]:
        """Run ``sops ARGS`` (found on the user's PATH) and return the completed process.

        Raises RuntimeError carrying sops' stderr when it exits non-zero.
        """
        if isinstance(args, (str, bytes)):
            raise TypeError("pass sops arguments as a list: sops is never run through a shell")
        sops = shutil.which("sops")
        if sops is None:
            raise FileNotFoundError("sops was not found on PATH; install sops to use secrets.")
        proc = subprocess.run(
            [sops, *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            env=dict(env) if env is not None else None,
            pass_fds=tuple(pass_fds),
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(
                f"Error running SOPS command `sops {' '.join(args)}` (exit code"
                f" {proc.returncode}): {proc.stderr.strip()}"
            )
        return proc

    def decrypt(self, secrets_file: str, sops_file: str) -> str:
        """Return the decrypted text of ``secrets_file`` (``sops --config S decrypt F``)."""
        return _sops_with_keys(
            self, ["--config", _safe_path(sops_file), "decrypt", _safe_path(secrets_file)]
        ).stdout

    def updatekeys(self, secrets_file: str, sops_file: str) -> str:
        """Re-encrypt ``secrets_file`` for the keys now listed in the sops config."""
        return _sops_with_keys(
            self, ["--config", _safe_path(sops_file), "updatekeys", "-y", _safe_path(secrets_file)]
        ).stdout

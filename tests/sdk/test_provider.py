"""Provider base class: abstract API, override guard, name, sops invocation."""

from __future__ import annotations

import json
import os

import pytest
from chaos.lib.args.dataclasses import (
    ProviderConfigPayload,
    ProviderExportArgs,
    ProviderImportArgs,
    ResultPayload,
    SecretsContext,
)
from chaos.lib.secret_backends.providers.base import Provider

AGE_KEY = "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ"


class MemoryPasswordProvider(Provider):
    """A provider whose items live in a dict; flag ``--from-mem``."""

    def __init__(self, payload, global_config):
        super().__init__(payload, global_config)
        self.items: dict[str, str] = {}
        self.status: object = (True, "ok")

    @classmethod
    def build_export_args(cls, **kwargs):
        return ProviderExportArgs("mem", {k: kwargs.get(k) for k in cls.get_export_arg_names()})

    @classmethod
    def build_import_args(cls, **kwargs):
        return ProviderImportArgs("mem", {k: kwargs.get(k) for k in cls.get_import_arg_names()})

    @staticmethod
    def get_export_arg_names():
        return ["mem_folder"]

    @staticmethod
    def get_import_arg_names():
        return []

    @staticmethod
    def register_flags(parser):
        parser.add_argument("--from-mem", nargs=2, metavar=("ITEM_ID", "KEY_TYPE"))

    @staticmethod
    def register_export_subcommands(subparsers):
        return subparsers.add_parser("mem")

    @staticmethod
    def register_import_subcommands(subparsers):
        return subparsers.add_parser("mem")

    @staticmethod
    def get_cli_name():
        return ("from_mem", "mem")

    def get_ephemeral_key_args(self):
        args = self.payload.provider_config.ephemeral_provider_args.get("from_mem")
        return tuple(args) if args else None

    def readKeys(self, item_id):
        return self.items[item_id]

    def check_status(self):
        return self.status

    def export_secrets(self, payload):
        return ResultPayload(True)


def make(item=None, items=None, status=(True, "ok")):
    ephemeral = {"from_mem": item} if item else {}
    provider = MemoryPasswordProvider(
        SecretsContext(provider_config=ProviderConfigPayload("mem.age", ephemeral)), {"x": 1}
    )
    provider.items = dict(items or {})
    provider.status = status
    return provider


def test_constructor_stores_payload_and_config():
    ctx = SecretsContext()
    provider = MemoryPasswordProvider(ctx, {"secret_providers": {}})
    assert provider.payload is ctx
    assert provider.config == {"secret_providers": {}}
    assert MemoryPasswordProvider(ctx, None).config == {}


@pytest.mark.parametrize(
    ("class_name", "expected"),
    [
        ("BitwardenPasswordProvider", "Bitwarden"),
        ("VaultSecretProvider", "Vault"),
        ("DopplerProvider", "DopplerProvider"),
    ],
)
def test_name_strips_suffixes(class_name, expected):
    cls = type(class_name, (MemoryPasswordProvider,), {})
    assert cls(SecretsContext(), {}).name == expected


@pytest.mark.parametrize(
    "method",
    [
        "edit",
        "setupEphemeralEnv",
        "import_secrets",
        "decrypt",
        "updatekeys",
        "_run_sops_command",
        "name",
    ],
)
def test_protected_methods_cannot_be_overridden(method):
    with pytest.raises(TypeError, match=method):
        type("Sneaky", (MemoryPasswordProvider,), {method: lambda self, *a: "plaintext"})


def test_guard_reports_every_overridden_method():
    with pytest.raises(TypeError, match="decrypt, edit"):

        class Sneaky(MemoryPasswordProvider):
            def edit(self, a, b): ...

            def decrypt(self, a, b):
                return "x"


def test_missing_abstract_method_prevents_instantiation():
    class Half(Provider):
        def readKeys(self, item_id):
            return ""

    with pytest.raises(TypeError, match="get_cli_name"):
        Half(SecretsContext(), {})


def test_static_cli_hooks_work_without_an_instance():
    import argparse

    parser = argparse.ArgumentParser()
    MemoryPasswordProvider.register_flags(parser.add_mutually_exclusive_group())
    assert parser.parse_args(["--from-mem", "id1", "age"]).from_mem == ["id1", "age"]
    args = MemoryPasswordProvider.build_export_args(mem_folder="f", other=1)
    assert args == ProviderExportArgs("mem", {"mem_folder": "f"})


def test_unimplemented_operations_say_so():
    provider = make()
    with pytest.raises(NotImplementedError, match="chaos secrets"):
        provider.edit("s.yml", ".sops.yaml")
    with pytest.raises(NotImplementedError, match="chaos secrets"):
        provider.import_secrets(None)


def test_run_sops_refuses_a_shell_string(fake_sops):
    with pytest.raises(TypeError, match="shell"):
        make()._run_sops_command("--config x decrypt y")


def test_sops_missing_from_path(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="sops"):
        make().decrypt("s.yml", ".sops.yaml")


def test_decrypt_without_provider_keys(fake_sops):
    out = json.loads(make().decrypt("secrets.yml", "-odd/.sops.yaml"))
    assert out["argv"] == ["--config", "./-odd/.sops.yaml", "decrypt", "secrets.yml"]
    assert out["key_file"] is None


def test_decrypt_passes_age_key_through_a_pipe(fake_sops):
    provider = make(item=["item-1", "age"], items={"item-1": f"  # public key: age1x\n  {AGE_KEY}"})
    out = json.loads(provider.decrypt("secrets.yml", ".sops.yaml"))
    assert out["argv"] == ["--config", ".sops.yaml", "decrypt", "secrets.yml"]
    assert out["key_file"].startswith("/dev/fd/")
    assert out["keys"] == f"# public key: age1x\n{AGE_KEY}\n"
    # the key itself is in neither argv nor the environment
    assert all(AGE_KEY not in arg for arg in out["argv"])
    assert all(AGE_KEY not in value for value in out["env_values"])


def test_decrypt_keeps_the_users_own_age_keys(fake_sops, tmp_path, monkeypatch):
    own = tmp_path / "keys.txt"
    own.write_text("AGE-SECRET-KEY-1OWN\n")
    monkeypatch.setenv("SOPS_AGE_KEY_FILE", str(own))
    out = json.loads(make(["i", "age"], {"i": AGE_KEY}).decrypt("s.yml", ".sops.yaml"))
    assert out["keys"] == f"AGE-SECRET-KEY-1OWN\n{AGE_KEY}\n"


def test_updatekeys_argv(fake_sops):
    out = json.loads(make().updatekeys("secrets.yml", ".sops.yaml"))
    assert out["argv"] == ["--config", ".sops.yaml", "updatekeys", "-y", "secrets.yml"]


def test_decrypt_failure_carries_sops_stderr(fake_sops, monkeypatch):
    monkeypatch.setenv("FAKE_SOPS_FAIL", "1")
    with pytest.raises(RuntimeError, match=r"exit code 128\).*Failed to get the data key"):
        make().decrypt("secrets.yml", ".sops.yaml")


def test_ephemeral_env_closes_its_pipe():
    provider = make(["i", "age"], {"i": AGE_KEY})
    with provider.setupEphemeralEnv() as eph:
        (fd,) = eph.pass_fds
        assert eph.env["SOPS_AGE_KEY_FILE"] == f"/dev/fd/{fd}"
        assert eph.prefix == ""
        assert os.read(fd, 1000).decode() == AGE_KEY + "\n"
    with pytest.raises(OSError):
        os.fstat(fd)


def test_ephemeral_env_refuses_text_without_age_key():
    provider = make(["i", "age"], {"i": "# public key: age1abc\n"})
    with pytest.raises(ValueError, match="AGE-SECRET-KEY"), provider.setupEphemeralEnv():
        pass


def test_ephemeral_env_stops_on_a_locked_provider():
    provider = make(["i", "age"], {"i": AGE_KEY}, status=(False, "vault is locked"))
    with pytest.raises(RuntimeError, match="vault is locked"), provider.setupEphemeralEnv():
        pass


def test_ephemeral_env_without_selection_or_with_gpg():
    with pytest.raises(ValueError, match="No key item"), make().setupEphemeralEnv():
        pass
    with pytest.raises(NotImplementedError, match="gpg"), make(["i", "gpg"]).setupEphemeralEnv():
        pass

"""The ``provider`` request (docs/protocol.md 6.7): a real ``Provider`` plugin reads and stores
items through the host, and every way a plugin can fail comes back as a ``provider`` error that
names the plugin."""

from __future__ import annotations

import json

import pytest

# A provider whose behaviour comes from its config.yml section, as real providers read theirs.
# readKeys returns, as the item's text, everything the host handed over, so the test sees it.
MEMPROV = """
import json

from chaos.lib.args.dataclasses import ProviderExportArgs, ProviderImportArgs, ResultPayload
from chaos.lib.secret_backends.providers.base import Provider


class MemProvider(Provider):
    @classmethod
    def build_export_args(cls, **kw):
        return ProviderExportArgs("mem", kw)

    @classmethod
    def build_import_args(cls, **kw):
        return ProviderImportArgs("mem", kw)

    @staticmethod
    def get_export_arg_names():
        return []

    @staticmethod
    def get_import_arg_names():
        return []

    @staticmethod
    def register_flags(parser):
        pass

    @staticmethod
    def register_export_subcommands(subparsers):
        return None

    @staticmethod
    def register_import_subcommands(subparsers):
        return None

    @staticmethod
    def get_cli_name():
        return ("from_mem", "mem")

    def settings(self):
        return self.config.get("secret_providers", {}).get("mem", {})

    def get_ephemeral_key_args(self):
        return self.payload.provider_config.ephemeral_provider_args

    def check_status(self):
        status = self.settings().get("status", "ok")
        if status == "raise":
            raise RuntimeError("the vault is sealed")
        if status == "none":
            return None
        return (True, "unlocked") if status == "ok" else tuple(status)

    def readKeys(self, item_id):
        if item_id == "missing":
            raise KeyError(item_id)
        if item_id == "number":
            return 42
        return json.dumps({
            "item": item_id,
            "key_args": self.get_ephemeral_key_args(),
            "provider": self.payload.provider_config.provider,
            "config": self.config,
        })

    def export_secrets(self, payload):
        seen = [
            payload.provider, payload.key_type, payload.item_name, payload.key_content,
            payload.provider_args.provider, json.dumps(payload.provider_args.options),
            "same payload" if payload is self.payload else "another payload",
        ]
        result = self.settings().get("export", "dict")
        if result == "dict":
            return ResultPayload(True, message=seen, data={"item_id": "item-7"})
        if result == "plain":
            return ResultPayload(True, message=["stored"], data="item-8")
        if result == "errors":
            return ResultPayload(False, message=["not this"], error=["quota reached", "retry"])
        if result == "messages":
            return ResultPayload(False, message=["the vault is read-only"])
        if result == "silent":
            return ResultPayload(False)
        if result == "none":
            return None
        if result == "no-id":
            return ResultPayload(True, data={"id": "item-9"})
        if result == "empty-id":
            return ResultPayload(True, data="")
        raise OSError("disk full")


class NoCliName(MemProvider):
    @staticmethod
    def get_cli_name():
        raise NotImplementedError


class EmptyCliName(MemProvider):
    @staticmethod
    def get_cli_name():
        return ()


class BadInit(MemProvider):
    def __init__(self, payload, config):
        raise ValueError("no token in config")


class NotAProvider:
    pass


not_a_class = MemProvider.get_cli_name
"""

TARGET = "memprov:MemProvider"


@pytest.fixture
def host(make_host, plugin_dir):
    plugin_dir("memprov", MEMPROV)
    plugin_dir("brokenprov", "import no_such_module_for_a_provider\n")
    return make_host("--no-warm")


def read(host, item="item-1", **params):
    base = {"action": "read", "provider": "mem", "target": TARGET, "plugin": "chaos-mem"}
    return host.request("provider", {**base, "item": item, "key_type": "age", **params})[0]


def export(host, export_as="dict", **params):
    base = {
        "action": "export",
        "provider": "mem",
        "target": TARGET,
        "plugin": "chaos-mem",
        "key_type": "age",
        "item_name": "laptop key",
        "content": "AGE-SECRET-KEY-1XYZ\n",
        "options": {"folder": "keys"},
        "config": {"secret_providers": {"mem": {"export": export_as}}},
    }
    return host.request("provider", {**base, **params})[0]


def provider_error(reply, target=TARGET):
    assert reply["ok"] is False, reply
    error = reply["error"]
    assert error["kind"] == "provider", error
    assert (error["entry_point"], error["plugin"], error["key"]) == (target, "chaos-mem", "mem")
    return error


def test_read_hands_the_item_key_type_and_config_to_the_plugin(host):
    config = {"secret_providers": {"mem": {"vault": "https://vault.example"}}}
    reply = read(host, "item-1", config=config)
    assert reply["ok"] is True, reply
    assert set(reply["result"]) == {"text"}
    assert json.loads(reply["result"]["text"]) == {
        "item": "item-1",
        "key_args": {"from_mem": ["item-1", "age"]},
        "provider": "mem.age",
        "config": config,
    }
    # Without config.yml's section the provider gets an empty config, not None.
    assert json.loads(read(host, config=None)["result"]["text"])["config"] == {}


def test_a_provider_without_a_cli_name_still_reads(host):
    for target in ("memprov:NoCliName", "memprov:EmptyCliName"):
        reply = read(host, target=target)
        assert reply["ok"] is True, reply
        key_args = json.loads(reply["result"]["text"])["key_args"]
        assert key_args == {"from_plugin": ["item-1", "age"]}, target


def test_read_failures_name_the_plugin(host):
    error = provider_error(read(host, "missing"))
    assert error["message"] == "the provider could not read item 'missing': KeyError: 'missing'"
    assert "KeyError" in error["traceback"]

    error = provider_error(read(host, "number"))
    assert error["message"] == "readKeys() returned int, not the item's text"
    assert "traceback" not in error


def test_a_provider_that_is_not_ready_is_not_asked_for_the_item(host):
    cases = [
        ("raise", "the provider is not ready: RuntimeError: the vault is sealed", True),
        ([False, "locked"], "the provider is not ready: locked", False),
        ([False], "the provider is not ready: check_status() returned False", False),
    ]
    for status, message, traceback in cases:
        config = {"secret_providers": {"mem": {"status": status}}}
        for reply in (read(host, config=config), export(host, config=config)):
            error = provider_error(reply)
            assert error["message"] == message
            assert ("RuntimeError" in error.get("traceback", "")) is traceback


def test_any_other_status_means_ready(host):
    for status in ("none", [True, "ok"], []):
        config = {"secret_providers": {"mem": {"status": status}}}
        assert read(host, config=config)["ok"] is True, status


def test_a_plugin_that_cannot_be_used_as_a_provider(host):
    error = provider_error(read(host, target="brokenprov:Anything"), "brokenprov:Anything")
    assert error["message"].startswith("the provider plugin could not be imported: ")
    assert "no_such_module_for_a_provider" in error["message"]
    assert "ModuleNotFoundError" in error["traceback"]

    for target in ("memprov:NotAProvider", "memprov:not_a_class"):
        error = provider_error(read(host, target=target), target)
        assert error["message"] == (
            f"{target} is not a subclass of chaos.lib.secret_backends.providers.base.Provider"
        )

    error = provider_error(read(host, target="memprov:BadInit"), "memprov:BadInit")
    assert error["message"] == "the provider could not be created: ValueError: no token in config"
    assert "ValueError" in error["traceback"]


def test_export_hands_the_content_and_options_to_the_plugin(host):
    reply = export(host)
    assert reply["ok"] is True, reply
    assert reply["result"] == {
        "item": "item-7",
        "messages": [
            "mem",
            "age",
            "laptop key",
            "AGE-SECRET-KEY-1XYZ\n",
            "mem",
            '{"folder": "keys"}',
            "same payload",
        ],
    }
    # data may be the item id itself; options may be left out.
    reply = export(host, "plain", options=None)
    assert reply["result"] == {"item": "item-8", "messages": ["stored"]}


def test_export_failures_say_what_the_plugin_said(host):
    cases = [
        ("errors", "quota reached; retry"),
        ("messages", "the vault is read-only"),
        ("silent", "?"),
        ("none", "?"),
        ("raise", "OSError: disk full"),
    ]
    for export_as, said in cases:
        error = provider_error(export(host, export_as))
        assert error["message"] == f"the provider could not store the key: {said}"
        assert ("OSError" in error.get("traceback", "")) is (export_as == "raise")


def test_an_export_that_names_no_item_is_an_error(host):
    for export_as in ("no-id", "empty-id"):
        error = provider_error(export(host, export_as))
        assert error["message"] == (
            "export_secrets() succeeded but its data names no item id"
            " (return ResultPayload(True, data={'item_id': ...}))"
        )


def test_requests_are_checked_before_the_plugin_is_imported(host):
    must_be_string = "must be a non-empty string"
    cases = [
        (read, {"action": "delete"}, "'action' must be one of read, export"),
        (read, {"action": None}, "'action' must be one of read, export"),
        (read, {"provider": ""}, f"'provider' {must_be_string}"),
        (read, {"provider": 3}, f"'provider' {must_be_string}"),
        (read, {"target": "memprov:"}, "'target' must be an entry-point target (module:Class)"),
        (read, {"item": ""}, f"'item' {must_be_string}"),
        (read, {"key_type": None}, f"'key_type' {must_be_string}"),
        (export, {"options": ["folder"]}, "'options' must be an object"),
        (export, {"item_name": ""}, f"'item_name' {must_be_string}"),
        (export, {"content": None}, f"'content' {must_be_string}"),
        (export, {"key_type": ""}, f"'key_type' {must_be_string}"),
    ]
    for send, params, message in cases:
        reply = send(host, **params)
        assert reply["ok"] is False
        assert reply["error"] == {"kind": "bad_params", "message": message}, params

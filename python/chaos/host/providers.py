"""The ``provider`` request: a ``chaos.providers`` plugin reads or stores a key item.

The core chooses the provider and item (docs/secrets-providers.md) and turns the item's text into
keys for sops itself; the plugin only talks to its password manager. The text travels back on
the protocol pipe, the only channel between the core and the host, and is never logged here.
"""

from __future__ import annotations

import inspect
from typing import Any

from chaos.host.errors import HostError, attempt, describe_exception, traceback_tail
from chaos.host.loading import load_target, valid_target

ACTIONS = ("read", "export")


def _string(params: dict[str, Any], name: str) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value:
        raise HostError("bad_params", f"'{name}' must be a non-empty string")
    return value


def _plugin_failure(message: str, exc: BaseException, where: dict[str, Any]) -> HostError:
    """What the plugin's code raised, as the provider error the user sees."""
    return HostError(
        "provider",
        f"{message}: {describe_exception(exc)}",
        traceback=traceback_tail(exc),
        **where,
    )


def _provider_class(params: dict[str, Any], where: dict[str, Any]) -> type:
    from chaos.lib.secret_backends.providers.base import Provider

    target = params.get("target")
    if not valid_target(target):
        raise HostError("bad_params", "'target' must be an entry-point target (module:Class)")
    cls, exc = attempt(load_target, target)
    if exc is not None:
        raise _plugin_failure("the provider plugin could not be imported", exc, where)
    if not (inspect.isclass(cls) and issubclass(cls, Provider)):
        raise HostError(
            "provider",
            f"{target} is not a subclass of chaos.lib.secret_backends.providers.base.Provider",
            **where,
        )
    return cls


def _ready(instance: Any, where: dict[str, Any]) -> None:
    """check_status either raises or returns ``(ok, message)``; both mean "not now"."""
    status, exc = attempt(instance.check_status)
    if exc is not None:
        raise _plugin_failure("the provider is not ready", exc, where)
    if isinstance(status, tuple) and status and not status[0]:
        detail = status[1] if len(status) > 1 else "check_status() returned False"
        raise HostError("provider", f"the provider is not ready: {detail}", **where)


def _ready_instance(cls: type, payload: Any, params: dict[str, Any], where: dict[str, Any]) -> Any:
    """The provider, created with the command's payload and config.yml, and ready to use."""
    instance, exc = attempt(cls, payload, params.get("config") or {})
    if exc is not None:
        raise _plugin_failure("the provider could not be created", exc, where)
    _ready(instance, where)
    return instance


def _read(cls: type, params: dict[str, Any], where: dict[str, Any]) -> dict[str, Any]:
    from chaos.lib.args.dataclasses import ProviderConfigPayload, SecretsContext

    item = _string(params, "item")
    key_type = _string(params, "key_type")
    names, exc = attempt(cls.get_cli_name)
    flag = names[0] if exc is None and isinstance(names, (tuple, list)) and names else "from_plugin"
    context = SecretsContext(
        provider_config=ProviderConfigPayload(
            provider=f"{params['provider']}.{key_type}",
            ephemeral_provider_args={flag: [item, key_type]},
        )
    )
    instance = _ready_instance(cls, context, params, where)
    text, exc = attempt(instance.readKeys, item)
    if exc is not None:
        raise _plugin_failure(f"the provider could not read item {item!r}", exc, where)
    if not isinstance(text, str):
        raise HostError(
            "provider", f"readKeys() returned {type(text).__name__}, not the item's text", **where
        )
    return {"text": text}


def _export(cls: type, params: dict[str, Any], where: dict[str, Any]) -> dict[str, Any]:
    from chaos.lib.args.dataclasses import ProviderExportArgs, SecretsExportPayload

    options = params.get("options") or {}
    if not isinstance(options, dict):
        raise HostError("bad_params", "'options' must be an object")
    payload = SecretsExportPayload(
        provider=params["provider"],
        key_type=_string(params, "key_type"),
        item_name=_string(params, "item_name"),
        provider_args=ProviderExportArgs(provider=params["provider"], options=options),
        key_content=_string(params, "content"),
    )
    instance = _ready_instance(cls, payload, params, where)
    result, exc = attempt(instance.export_secrets, payload)
    if exc is not None:
        raise _plugin_failure("the provider could not store the key", exc, where)
    if not getattr(result, "success", False):
        said = list(getattr(result, "error", []) or []) or list(
            getattr(result, "message", []) or []
        )
        raise HostError(
            "provider", "the provider could not store the key: " + ("; ".join(said) or "?"), **where
        )
    data = result.data
    item = data.get("item_id") if isinstance(data, dict) else data
    if not isinstance(item, str) or not item:
        raise HostError(
            "provider",
            "export_secrets() succeeded but its data names no item id"
            " (return ResultPayload(True, data={'item_id': ...}))",
            **where,
        )
    return {"item": item, "messages": [str(m) for m in result.message]}


def provider_request(params: dict[str, Any]) -> dict[str, Any]:
    action = params.get("action")
    if action not in ACTIONS:
        raise HostError("bad_params", f"'action' must be one of {', '.join(ACTIONS)}")
    provider = _string(params, "provider")
    where = {"entry_point": params.get("target"), "plugin": params.get("plugin"), "key": provider}
    cls = _provider_class(params, where)
    if action == "read":
        return _read(cls, params, where)
    return _export(cls, params, where)

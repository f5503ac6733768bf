"""Payload types: small slot classes passed between the orchestration and plugin code.

Roles return ``Delta`` and ``ResultPayload``; providers receive the ``Secrets*`` payloads; the
``DataGather*`` pair describes questions a front end should ask. They are plain slot classes
rather than ``dataclasses.dataclass`` because the original SDK's documented surface
(``to_dict``/``from_dict``, ``repr`` and equality over the slots) is what plugins rely on, and slots
keep a mistyped attribute assignment from silently creating a new field.

Every payload's constructor takes exactly its field names as keywords, so
``Cls.from_dict(obj.to_dict()) == obj`` holds for any payload whose values are plain data.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any, ClassVar, Generic, TypeVar

T = TypeVar("T")

__all__ = [
    "ApplyPayload",
    "BasePayload",
    "DataGatherPayload",
    "DataGatherRequest",
    "Delta",
    "ProviderConfigPayload",
    "ProviderExportArgs",
    "ProviderImportArgs",
    "ResultPayload",
    "SecretsContext",
    "SecretsExportPayload",
    "SecretsImportPayload",
]

_NOT_FIELDS = frozenset({"__weakref__", "__dict__"})


def _plain(value: Any) -> Any:
    """Turn payloads (and containers of them) into plain dicts/lists for ``to_dict``."""
    if isinstance(value, BasePayload):
        return value.to_dict()
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _as_list(value: Any, field: str) -> list:
    """Normalise a message/error style field: None -> [], a lone string -> [string]."""
    if value is None:
        return []
    if isinstance(value, str):
        # Accepted so that ResultPayload(False, error="boom") does not turn into ['b', 'o', ...]
        # when a caller iterates it.
        return [value]
    if isinstance(value, (list, tuple)):
        return list(value)
    raise TypeError(f"{field} must be a list of strings, got {type(value).__name__}")


def _as_dict(value: Any, field: str) -> dict:
    """Normalise a mapping field: None -> a fresh {}; any other non-mapping is a caller bug."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{field} must be a dict, got {type(value).__name__}")


class BasePayload:
    """Common behaviour of all payloads: repr, equality and dict conversion over ``__slots__``.

    Subclasses must declare ``__slots__``; their fields are the slots of the whole class chain,
    in the order of the constructor's parameters. ``_nested`` maps a field name to the payload class its value (or each
    element of a list value) is rebuilt as by ``from_dict``. Fields named in ``_redacted`` are
    shown as ``'***'`` by ``repr`` (never by ``to_dict``) so that logging a payload cannot leak a
    password or decrypted secret.
    """

    __slots__ = ()

    _fields: ClassVar[tuple[str, ...]] = ()
    _nested: ClassVar[Mapping[str, type[BasePayload]]] = {}
    _redacted: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__slots__" not in cls.__dict__:
            raise TypeError(
                f"{cls.__name__} must declare __slots__: payload fields are its slots, so an"
                " attribute outside them would be invisible to repr, == and to_dict"
            )
        slots: list[str] = []
        for klass in reversed(cls.__mro__):
            declared = klass.__dict__.get("__slots__", ())
            if isinstance(declared, str):
                declared = (declared,)
            slots.extend(s for s in declared if s not in _NOT_FIELDS and s not in slots)
        # Fields are ordered like the constructor's parameters (the order a reader expects in
        # repr and to_dict); slots the constructor does not take come last.
        params = [p for p in inspect.signature(cls.__init__).parameters if p in slots]
        cls._fields = (*params, *(s for s in slots if s not in params))

    def __repr__(self) -> str:
        parts = []
        for field in self._fields:
            value = getattr(self, field, None)
            shown = "'***'" if field in self._redacted and value is not None else repr(value)
            parts.append(f"{field}={shown}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, f, None) == getattr(other, f, None) for f in self._fields)

    # Payloads are mutable, so they must not be hashable (defining __eq__ already implies this;
    # stated for readers).
    __hash__ = None  # type: ignore[assignment]

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a plain dict, converting nested payloads, lists and dicts."""
        return {field: _plain(getattr(self, field, None)) for field in self._fields}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]):
        """Build an instance from a dict such as one made by ``to_dict``.

        Keys that are not fields of this class are ignored, so dicts written by a newer version
        with extra fields still load. Missing keys take the constructor's defaults (a missing
        required one raises ``TypeError``). Fields listed in ``_nested`` are rebuilt as payloads.
        """
        if not isinstance(data, Mapping):
            raise TypeError(
                f"{cls.__name__}.from_dict expects a mapping, got {type(data).__name__}"
            )
        kwargs: dict[str, Any] = {}
        for field in cls._fields:
            if field not in data:
                continue
            value = data[field]
            nested = cls._nested.get(field)
            if nested is not None:
                if isinstance(value, Mapping):
                    value = nested.from_dict(value)
                elif isinstance(value, (list, tuple)):
                    value = [nested.from_dict(v) if isinstance(v, Mapping) else v for v in value]
            kwargs[field] = value
        return cls(**kwargs)


class Delta(BasePayload):
    """What a role would change on a host, as computed by ``Role.delta``.

    ``to_add`` and ``to_remove`` map a category (e.g. ``"packages"``) to the items to add or
    remove; front ends list each item. ``metadata`` carries anything ``plan`` needs that should
    not be shown as a change.
    """

    __slots__ = ("metadata", "to_add", "to_remove")

    def __init__(
        self,
        to_add: Mapping[str, Any] | None = None,
        to_remove: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        self.to_add: dict[str, Any] = _as_dict(to_add, "to_add")
        self.to_remove: dict[str, Any] = _as_dict(to_remove, "to_remove")
        self.metadata: dict[str, Any] = _as_dict(metadata, "metadata")

    def is_empty(self) -> bool:
        """True when nothing would change: no category in to_add/to_remove has a truthy value.

        ``Delta(to_add={"files": []})`` counts as empty, so roles may always emit their
        categories.
        """
        return not any(self.to_add.values()) and not any(self.to_remove.values())


class ResultPayload(BasePayload, Generic[T]):
    """Outcome of an SDK operation: success flag, messages, optional data, errors.

    Generic in the type of ``data`` so plugins can annotate ``ResultPayload[dict]``.
    """

    __slots__ = ("data", "error", "message", "success")

    def __init__(
        self,
        success: bool,
        message: list[str] | str | None = None,
        data: T | None = None,
        error: list[str] | str | None = None,
    ) -> None:
        self.success = success
        self.message: list[str] = _as_list(message, "message")
        self.data = data
        self.error: list[str] = _as_list(error, "error")


class DataGatherPayload(BasePayload):
    """One question a front end should ask before an operation can run.

    ``input_type`` is one of ``string``, ``integer``, ``boolean``, ``choice`` or ``secret``
    (``choice`` needs ``choices``). The answer is written back by the caller into the payload
    the question was generated for.
    """

    __slots__ = ("choices", "default", "input_type", "metadata", "name", "prompt", "required")

    INPUT_TYPES: ClassVar[frozenset[str]] = frozenset(
        {"string", "integer", "boolean", "choice", "secret"}
    )

    def __init__(
        self,
        name: str,
        prompt: str,
        input_type: str = "string",
        required: bool = False,
        default: Any = None,
        choices: list[Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        if input_type not in self.INPUT_TYPES:
            raise ValueError(
                f"input_type must be one of {sorted(self.INPUT_TYPES)}, got {input_type!r}"
            )
        self.name = name
        self.prompt = prompt
        self.input_type = input_type
        self.required = required
        self.default = default
        self.choices: list[Any] = _as_list(choices, "choices")
        self.metadata: dict[str, Any] = _as_dict(metadata, "metadata")


class DataGatherRequest(BasePayload):
    """A named group of questions (``fields``) returned by a ``gather_*`` step."""

    __slots__ = ("fields", "name")
    _nested: ClassVar[Mapping[str, type[BasePayload]]] = {"fields": DataGatherPayload}

    def __init__(self, name: str, fields: list[DataGatherPayload] | None = None) -> None:
        self.name = name
        self.fields: list[DataGatherPayload] = list(fields) if fields is not None else []


class ProviderConfigPayload(BasePayload):
    """Which secret provider was chosen and its per-flag arguments.

    ``provider`` is the ``-p`` value (``backend.keytype`` or ``default``) or None;
    ``ephemeral_provider_args`` maps a provider's flag attribute (``get_cli_name()[0]``, e.g.
    ``"from_bw"``) to its ``(item_id, key_type)`` pair.
    """

    __slots__ = ("ephemeral_provider_args", "provider")

    def __init__(
        self,
        provider: str | None = None,
        ephemeral_provider_args: Mapping[str, Any] | None = None,
    ) -> None:
        self.provider = provider
        self.ephemeral_provider_args: dict[str, Any] = _as_dict(
            ephemeral_provider_args, "ephemeral_provider_args"
        )


class SecretsContext(BasePayload):
    """Where the secrets live and how to unlock them, shared by every secrets operation.

    ``team`` selects a team repository (``company.team``), the two overrides replace the
    configured secrets/sops files, ``provider_config`` says which provider supplies keys, and
    ``i_know_what_im_doing`` skips confirmations.
    """

    __slots__ = (
        "i_know_what_im_doing",
        "provider_config",
        "secrets_file_override",
        "sops_file_override",
        "team",
    )
    _nested: ClassVar[Mapping[str, type[BasePayload]]] = {"provider_config": ProviderConfigPayload}

    def __init__(
        self,
        team: str | None = None,
        sops_file_override: str | None = None,
        secrets_file_override: str | None = None,
        provider_config: ProviderConfigPayload | None = None,
        i_know_what_im_doing: bool = False,
    ) -> None:
        self.team = team
        self.sops_file_override = sops_file_override
        self.secrets_file_override = secrets_file_override
        self.provider_config = (
            provider_config if provider_config is not None else ProviderConfigPayload()
        )
        self.i_know_what_im_doing = i_know_what_im_doing


class ProviderExportArgs(BasePayload):
    """Provider-specific export options, built by ``Provider.build_export_args(**kw)``.

    ``provider`` is the provider's config name (``get_cli_name()[1]``); ``options`` holds the
    values of the attributes named by ``get_export_arg_names()`` (e.g. a Bitwarden collection).
    """

    __slots__ = ("options", "provider")

    def __init__(self, provider: str | None = None, options: Mapping[str, Any] | None = None):
        self.provider = provider
        self.options: dict[str, Any] = _as_dict(options, "options")


class ProviderImportArgs(BasePayload):
    """Provider-specific import options, built by ``Provider.build_import_args(**kw)``.

    Same shape as ``ProviderExportArgs``; the option names come from ``get_import_arg_names()``.
    """

    __slots__ = ("options", "provider")

    def __init__(self, provider: str | None = None, options: Mapping[str, Any] | None = None):
        self.provider = provider
        self.options: dict[str, Any] = _as_dict(options, "options")


class SecretsExportPayload(BasePayload):
    """``chaos secrets export PROVIDER``: store a key (age, gpg or vault) in a provider.

    Fields follow the command's common flags: ``key_type`` (``age``/``gpg``/``vault``),
    ``item_name`` (name of the item to create), ``key_file`` (where the key material is read
    from; None means the front end collects it), ``vault_addr``, ``fingerprints`` (gpg),
    ``no_import`` (mark the stored text ``# NO-IMPORT``), ``save_to_config`` (record the new
    item id in config.yml); ``provider`` is the provider's config name and ``provider_args`` its
    own options. ``key_content`` is the item text chaos prepared from the key (the formats of
    docs/secrets-providers.md): what a provider's ``export_secrets`` stores; never shown by repr.
    """

    __slots__ = (
        "context",
        "fingerprints",
        "item_name",
        "key_content",
        "key_file",
        "key_type",
        "no_import",
        "provider",
        "provider_args",
        "save_to_config",
        "vault_addr",
    )
    _nested: ClassVar[Mapping[str, type[BasePayload]]] = {
        "context": SecretsContext,
        "provider_args": ProviderExportArgs,
    }
    _redacted: ClassVar[frozenset[str]] = frozenset({"key_content"})

    def __init__(
        self,
        context: SecretsContext | None = None,
        provider: str | None = None,
        key_type: str | None = None,
        item_name: str | None = None,
        key_file: str | None = None,
        vault_addr: str | None = None,
        fingerprints: list[str] | None = None,
        no_import: bool = False,
        save_to_config: bool = False,
        provider_args: ProviderExportArgs | None = None,
        key_content: str | None = None,
    ) -> None:
        self.context = context if context is not None else SecretsContext()
        self.provider = provider
        self.key_type = key_type
        self.item_name = item_name
        self.key_file = key_file
        self.vault_addr = vault_addr
        self.fingerprints: list[str] = _as_list(fingerprints, "fingerprints")
        self.no_import = no_import
        self.save_to_config = save_to_config
        self.provider_args = provider_args if provider_args is not None else ProviderExportArgs()
        self.key_content = key_content


class SecretsImportPayload(BasePayload):
    """``chaos secrets import PROVIDER``: fetch a stored key and install it locally.

    ``key_type`` is ``age``/``gpg``/``vault``, ``item_id`` the provider's item to read,
    ``provider`` the provider's config name and ``provider_args`` its own options;
    ``i_know_what_im_doing`` skips the overwrite confirmation.
    """

    __slots__ = (
        "context",
        "i_know_what_im_doing",
        "item_id",
        "key_type",
        "provider",
        "provider_args",
    )
    _nested: ClassVar[Mapping[str, type[BasePayload]]] = {
        "context": SecretsContext,
        "provider_args": ProviderImportArgs,
    }

    def __init__(
        self,
        context: SecretsContext | None = None,
        provider: str | None = None,
        key_type: str | None = None,
        item_id: str | None = None,
        provider_args: ProviderImportArgs | None = None,
        i_know_what_im_doing: bool = False,
    ) -> None:
        self.context = context if context is not None else SecretsContext()
        self.provider = provider
        self.key_type = key_type
        self.item_id = item_id
        self.provider_args = provider_args if provider_args is not None else ProviderImportArgs()
        self.i_know_what_im_doing = i_know_what_im_doing


class ApplyPayload(BasePayload):
    """Everything ``chaos apply`` was asked to do, as one object (SDK orchestration input).

    Field names follow the original SDK. ``password``, ``confirmed_password`` and
    ``decrypted_secrets`` are redacted from ``repr``. ``pyinfra_state`` holds a live pyinfra
    ``State`` and is not serialisable data.
    """

    __slots__ = (
        "chobolo",
        "confirmed_password",
        "decrypted_secrets",
        "dry",
        "export_logs",
        "fallback_to_local",
        "fleet",
        "global_config",
        "i_know_what_im_doing",
        "is_fleet_active",
        "limani",
        "logbook",
        "no_wait",
        "parallelism",
        "password",
        "pyinfra_state",
        "secrets",
        "secrets_context",
        "serial",
        "sudo_password_file",
        "tags",
        "target_hosts",
        "update_plugins",
        "v",
        "verbose",
    )
    _nested: ClassVar[Mapping[str, type[BasePayload]]] = {"secrets_context": SecretsContext}
    _redacted: ClassVar[frozenset[str]] = frozenset(
        {"password", "confirmed_password", "decrypted_secrets"}
    )

    def __init__(
        self,
        update_plugins: bool = False,
        i_know_what_im_doing: bool = False,
        dry: bool = False,
        verbose: int | None = None,
        v: int = 0,
        tags: list[str] | None = None,
        chobolo: str | None = None,
        limani: str | None = None,
        logbook: bool = False,
        fleet: bool = False,
        sudo_password_file: str | None = None,
        password: str | None = None,
        secrets: bool = False,
        serial: bool = False,
        no_wait: bool = False,
        export_logs: bool = False,
        secrets_context: SecretsContext | None = None,
        confirmed_password: str | None = None,
        pyinfra_state: Any = None,
        target_hosts: list[Any] | None = None,
        is_fleet_active: bool = False,
        parallelism: int | None = None,
        fallback_to_local: bool = False,
        decrypted_secrets: Any = None,
        global_config: Mapping[str, Any] | None = None,
    ) -> None:
        self.update_plugins = update_plugins
        self.i_know_what_im_doing = i_know_what_im_doing
        self.dry = dry
        self.verbose = verbose
        self.v = v
        self.tags: list[str] = _as_list(tags, "tags")
        self.chobolo = chobolo
        self.limani = limani
        self.logbook = logbook
        self.fleet = fleet
        self.sudo_password_file = sudo_password_file
        self.password = password
        self.secrets = secrets
        self.serial = serial
        self.no_wait = no_wait
        self.export_logs = export_logs
        self.secrets_context = secrets_context if secrets_context is not None else SecretsContext()
        self.confirmed_password = confirmed_password
        self.pyinfra_state = pyinfra_state
        self.target_hosts: list[Any] = (
            list(target_hosts) if target_hosts is not None else ["@local"]
        )
        self.is_fleet_active = is_fleet_active
        self.parallelism = parallelism
        self.fallback_to_local = fallback_to_local
        self.decrypted_secrets = decrypted_secrets
        self.global_config: dict[str, Any] = _as_dict(global_config, "global_config")

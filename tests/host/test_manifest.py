"""The manifest method: explanations, keys and role metadata, one failure per entry."""

from __future__ import annotations

GOOD_PLUGIN = """
from chaos.lib.roles.role import Role

class Explain:
    _order = ["sub", "other-thing"]

    def explain_main(self, detail_level):
        return {"concept": "Main Concept", "what": f"main at {detail_level}", "tags": {"b", "a"}}

    def explain_sub(self, detail_level):
        return {"concept": "Sub Concept", "examples": [{"yaml": "a: 1"}], "t": (1, 2)}

    def explain_other_thing(self, detail_level):
        if detail_level == "advanced":
            raise RuntimeError("no advanced text yet")
        return {"what": "other"}

    def not_an_explanation(self, detail_level):
        return {}


class NoOrder:
    def explain_solo(self, detail_level):
        return {"what": "solo"}

    def explain_beta(self, detail_level):
        return "not a dict"


keys = [{"users": [{"name": "alice"}]}, {"packages": ["vim"]}]
not_keys = {"users": []}


class MyRole(Role):
    def __init__(self):
        super().__init__(
            name="My Role",
            needs_secrets=True,
            necessary_secret_dict_keys=["users.passwords"],
            necessary_chobolo_keys=["users"],
        )

    def plan(self, state, host, delta):
        return None


def legacy_role(state, host, chobolo_path, skip_confirm):
    pass


def legacy_secret_role(state, host, chobolo_path, skip_confirm, secrets):
    pass
"""

BROKEN_PLUGIN = """
class BadInit:
    def __init__(self):
        raise ValueError("explain class cannot start")

def role_factory_value():
    pass

NOT_CALLABLE = 42
"""


def test_manifest_happy_path(make_host, plugin_dir):
    plugin_dir("goodplug", GOOD_PLUGIN)
    host = make_host("--no-warm")
    result = host.call(
        "manifest",
        {
            "explain": {
                "main": "goodplug:Explain",
                "solo": {"target": "goodplug:NoOrder", "plugin": "good-plugin"},
            },
            "keys": {"base": "goodplug:keys"},
            "roles": {
                "mine": {"target": "goodplug:MyRole", "plugin": "good-plugin"},
                "old": "goodplug:legacy_role",
                "old-secret": "goodplug:legacy_secret_role",
            },
        },
    )

    main = result["explain"]["main"]
    assert main["ok"] is True
    assert main["entry_point"] == "goodplug:Explain"
    assert main["order"] == ["sub", "other-thing"]
    assert main["main"] == "main"
    assert main["subtopics"] == ["other_thing", "sub"]
    assert set(main["explanations"]) == {"main", "sub", "other_thing"}
    assert main["explanations"]["main"]["basic"] == {
        "concept": "Main Concept",
        "what": "main at basic",
        "tags": ["a", "b"],
    }
    assert main["explanations"]["main"]["advanced"]["what"] == "main at advanced"
    assert main["explanations"]["sub"]["intermediate"]["t"] == [1, 2]
    # One method failing at one level is an error on that entry only.
    assert set(main["explanations"]["other_thing"]) == {"basic", "intermediate"}
    [error] = main["errors"]
    assert error["kind"] == "explain_method"
    assert error["method"] == "explain_other_thing"
    assert error["complexity"] == "advanced"
    assert "no advanced text yet" in error["message"]
    assert "RuntimeError" in error["traceback"]

    solo = result["explain"]["solo"]
    assert solo["ok"] is True and solo["plugin"] == "good-plugin"
    assert solo["order"] is None
    assert solo["main"] == "solo"
    assert solo["subtopics"] == ["beta"]
    assert solo["explanations"]["beta"] == {}
    assert {e["kind"] for e in solo["errors"]} == {"explain_value"}

    assert result["keys"]["base"] == {
        "ok": True,
        "entry_point": "goodplug:keys",
        "value": [{"users": [{"name": "alice"}]}, {"packages": ["vim"]}],
    }

    mine = result["roles"]["mine"]
    assert mine == {
        "ok": True,
        "tag": "mine",
        "entry_point": "goodplug:MyRole",
        "plugin": "good-plugin",
        "kind": "class",
        "name": "My Role",
        "needs_secrets": True,
        "necessary_secret_dict_keys": ["users.passwords"],
        "necessary_chobolo_keys": ["users"],
    }
    old = result["roles"]["old"]
    assert old["ok"] is True and old["kind"] == "legacy" and old["name"] is None
    assert old["accepts_secrets"] is False
    assert result["roles"]["old-secret"]["accepts_secrets"] is True


def test_manifest_failures_are_per_entry(make_host, plugin_dir):
    plugin_dir("goodplug", GOOD_PLUGIN)
    plugin_dir("brokenplug", BROKEN_PLUGIN)
    plugin_dir("syntaxplug", "def broken(:\n    pass\n")
    host = make_host("--no-warm")
    result = host.call(
        "manifest",
        {
            "explain": {
                "main": "goodplug:Explain",
                "bad": {"target": "brokenplug:BadInit", "plugin": "broken-plugin"},
                "gone": "missing_module_xyz:Explain",
            },
            "keys": {
                "base": "goodplug:keys",
                "dict": "goodplug:not_keys",
                "noattr": "goodplug:nothing_here",
            },
            "roles": {
                "mine": "goodplug:MyRole",
                "syntax": {"target": "syntaxplug:broken", "plugin": "syntax-plugin"},
                "number": "brokenplug:NOT_CALLABLE",
            },
        },
    )
    assert result["explain"]["main"]["ok"] is True
    # Every failed entry says so: the core shows its error instead of its (absent) content.
    for group, name in [
        ("explain", "bad"),
        ("explain", "gone"),
        ("keys", "dict"),
        ("keys", "noattr"),
        ("roles", "syntax"),
        ("roles", "number"),
    ]:
        assert result[group][name]["ok"] is False, (group, name)
    bad = result["explain"]["bad"]
    assert bad["ok"] is False
    assert bad["error"]["kind"] == "explain_init"
    assert bad["error"]["plugin"] == "broken-plugin"
    assert bad["error"]["entry_point"] == "brokenplug:BadInit"
    assert "explain class cannot start" in bad["error"]["message"]
    assert "ValueError" in bad["error"]["traceback"]
    gone = result["explain"]["gone"]["error"]
    assert gone["kind"] == "plugin_import"
    assert "missing_module_xyz" in gone["message"]

    assert result["keys"]["base"]["ok"] is True
    not_list = result["keys"]["dict"]
    assert not_list["ok"] is False
    assert not_list["error"]["kind"] == "not_a_list"
    assert not_list["error"]["message"] == "'goodplug:not_keys' is a dict, not a list"
    assert not_list["error"]["key"] == "dict"
    assert result["keys"]["noattr"]["error"]["kind"] == "plugin_import"
    assert "nothing_here" in result["keys"]["noattr"]["error"]["message"]

    assert result["roles"]["mine"]["ok"] is True
    syntax = result["roles"]["syntax"]["error"]
    assert syntax["kind"] == "plugin_import"
    assert syntax["plugin"] == "syntax-plugin"
    assert "SyntaxError" in syntax["message"]
    assert result["roles"]["number"]["error"]["kind"] == "bad_role"


def test_manifest_rejects_malformed_targets(make_host):
    host = make_host("--no-warm")
    reply, _ = host.request("manifest", {"keys": {"x": "no-colon-attr:"}})
    assert reply["error"] == {
        "kind": "bad_params",
        "message": "'keys.x' must be 'module:attr' or {target, plugin}",
    }
    reply, _ = host.request("manifest", {"roles": ["mod:attr"]})
    assert reply["error"] == {
        "kind": "bad_params",
        "message": "'roles' must be an object of name -> entry point",
    }


HYPHEN_PLUGIN = """
class Explain:
    def explain_disk_layout(self, detail_level):
        if detail_level == "basic":
            raise ValueError("no basic text")
        return {"what": detail_level}

    def explain_sizes(self, detail_level):
        return {"what": "sizes"} if detail_level == "advanced" else ["not", "a", "dict"]
"""


def test_a_hyphenated_topic_finds_its_method_and_every_level_is_tried(make_host, plugin_dir):
    plugin_dir("hyphenplug", HYPHEN_PLUGIN)
    host = make_host("--no-warm")
    entry = host.call("manifest", {"explain": {"disk-layout": "hyphenplug:Explain"}})["explain"][
        "disk-layout"
    ]
    # `chaos explain disk-layout` shows explain_disk_layout as the topic itself.
    assert entry["main"] == "disk_layout"
    assert entry["subtopics"] == ["sizes"]
    # A level that fails or is not a dict is left out; the next levels are still asked.
    assert entry["explanations"] == {
        "disk_layout": {"intermediate": {"what": "intermediate"}, "advanced": {"what": "advanced"}},
        "sizes": {"advanced": {"what": "sizes"}},
    }
    failed, *not_dicts = entry["errors"]
    assert failed["kind"] == "explain_method"
    assert (failed["topic"], failed["method"], failed["complexity"]) == (
        "disk-layout",
        "explain_disk_layout",
        "basic",
    )
    assert [(e["kind"], e["complexity"], e["message"]) for e in not_dicts] == [
        ("explain_value", level, "explain_sizes() returned a list, not a dict")
        for level in ("basic", "intermediate")
    ]

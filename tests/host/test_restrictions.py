"""Fleet restrictions decided per host and role (chaos.host.restrictions), every rule of
docs/fleet.md with the original's skip bug fixed: a skip is a skip."""

from __future__ import annotations

import pytest
from chaos.host.errors import HostError
from chaos.host.restrictions import CONFLICT, SKIP, decide, validate

LISTS = validate(
    {
        "allow_list": {"db": {"postgres": True, "users": True}, "both": {"users": True}},
        "black_list": {
            "web": {"postgres": True, "users": False},
            "gone": {},
            "both": {"users": True},
        },
    }
)


@pytest.mark.parametrize(
    ("host", "names", "kind", "text"),
    [
        ("web", ["postgres"], SKIP, "role 'postgres' is blacklisted for host 'web'"),
        ("web", ["users"], None, None),  # false in black_list means allowed
        ("gone", ["users"], SKIP, "host 'gone' is blacklisted for every role"),
        ("db", ["nginx"], SKIP, "host 'db' has an allow_list without role 'nginx'"),
        ("db", ["postgres"], None, None),
        ("db", ["pg-tag", "postgres"], None, None),  # the class role's name matches too
        ("both", ["users"], CONFLICT, "both allowlisted and blacklisted"),
        ("other", ["anything"], None, None),
    ],
)
def test_each_rule(host, names, kind, text):
    decision = decide(LISTS, host, names)
    if kind is None:
        assert decision is None
    else:
        assert decision is not None and decision.kind == kind and text in decision.message


@pytest.mark.parametrize(
    "bad",
    [
        ["allow_list"],
        {"white_list": {}},
        {"allow_list": ["db"]},
        {"black_list": {"web": ["postgres"]}},
        {"black_list": {"web": {"postgres": "yes"}}},
    ],
)
def test_malformed_lists_are_refused(bad):
    with pytest.raises(HostError) as raised:
        validate(bad)
    assert raised.value.kind == "bad_params"


def test_nothing_to_restrict():
    assert validate(None) == {}
    assert decide({}, "web", ["x"]) is None

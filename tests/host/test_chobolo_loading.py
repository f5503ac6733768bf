"""Loading a Ch-obolo in the role host (chaos.host.chobolo), read directly: node counts, the
alias-expansion limit at its exact boundary, and each error's kind, message and position."""

from __future__ import annotations

import os
import sys

import pytest
import yaml
from chaos.host import chobolo as ch
from chaos.host.errors import HostError


def _write(tmp_path, text: str):
    path = tmp_path / "ch-obolo.yml"
    path.write_text(text)
    return str(path)


def _refused(path: str) -> HostError:
    with pytest.raises(HostError) as caught:
        ch.load_chobolo(path)
    assert caught.value.kind == "chobolo"
    assert caught.value.fields["file"] == path
    return caught.value


def test_node_counts_as_written_and_expanded(tmp_path):
    assert ch.chobolo_node_counts(yaml, _write(tmp_path, "")) == (0, 0)
    assert ch.chobolo_node_counts(yaml, _write(tmp_path, "a: 1\n")) == (3, 3)  # map, key, value
    # map + 3 keys + the list [x, y] (3 nodes) once as written; expanded, each of the list's
    # two references counts its 3 nodes again
    text = "base: &b [x, y]\none: *b\ntwo: *b\n"
    assert ch.chobolo_node_counts(yaml, _write(tmp_path, text)) == (7, 13)


def test_an_alias_inside_what_it_names_is_refused_with_its_position(tmp_path):
    path = _write(tmp_path, "a: &x\n  - b\n  - *x\n")
    # PyYAML refuses a recursive alias itself, or chaos does; either way it is a chobolo error.
    error = _refused(path)
    if "never ends" in error.message:
        assert (error.fields["line"], error.fields["column"]) == (1, 4)


def _bomb(copies: int, padding: int = 0) -> str:
    """`copies` references to one 2-item list, after `padding` plain keys. Written: the map, its
    keys, the list (3) and the outer list; expanded: 3 more for each reference."""
    pad = "".join(f"p{i}: v\n" for i in range(padding))
    return pad + "base: &b [x, y]\nall: [" + ", ".join(["*b"] * copies) + "]\n"


def test_the_expansion_limit_is_exact(tmp_path):
    assert (ch.ALIAS_EXPANSION_FACTOR, ch.ALIAS_EXPANSION_FLOOR) == (2, 10_000)
    # 100 padding keys: written 7 + 200 = 207 nodes, so 100x allows 20,700 and the floor rules.
    # 207 + 3 * 3264 = 9,999; one more reference passes 10,000.
    at_limit = (ch.ALIAS_EXPANSION_FLOOR - 207) // 3
    path = _write(tmp_path, _bomb(at_limit, padding=100))
    assert ch.chobolo_node_counts(yaml, path) == (207, 207 + 3 * at_limit)
    assert len(ch.load_chobolo(path)["all"]) == at_limit
    # the limit the plugins' OmegaConf gets: what chaos allowed, plus the floor
    assert os.environ[ch.OMEGACONF_LIMIT_ENV] == str(ch.ALIAS_EXPANSION_FLOOR * 2)
    over = at_limit + 2
    error = _refused(_write(tmp_path, _bomb(over, padding=100)))
    assert error.message == (
        f"the Ch-obolo's YAML aliases (*name) expand it to {207 + 3 * over:,} nodes from 207 as "
        f"written; chaos allows {ch.ALIAS_EXPANSION_FLOOR:,} (twice the written size, or "
        f"{ch.ALIAS_EXPANSION_FLOOR:,}), so that a small file cannot exhaust memory. Write the "
        "repeated parts out instead of referring to them"
    )
    # exactly at the floor: 102 padding keys (211 written) and 3,263 references make 10,000
    exact = _write(tmp_path, _bomb(3263, padding=102))
    assert ch.chobolo_node_counts(yaml, exact) == (211, ch.ALIAS_EXPANSION_FLOOR)
    assert len(ch.load_chobolo(exact)["all"]) == 3263


def test_more_than_100_times_past_1000_nodes_is_refused_as_omegaconf_would(tmp_path):
    assert (ch.ALIAS_EXPANSION_RATIO, ch.ALIAS_EXPANSION_RATIO_FROM) == (100, 1_000)
    # 7 written: 331 references give 1,000 nodes (allowed), 332 give 1,003 (143x: refused).
    assert ch.chobolo_node_counts(yaml, _write(tmp_path, _bomb(331))) == (7, 1_000)
    assert len(ch.load_chobolo(_write(tmp_path, _bomb(331)))["all"]) == 331
    error = _refused(_write(tmp_path, _bomb(332)))
    assert error.message == (
        "the Ch-obolo's YAML aliases (*name) expand it to 1,003 nodes from 7 as written, more "
        "than 100 times; OmegaConf (which plugins load it with) refuses that. Write the repeated "
        "parts out instead of referring to them"
    )
    # exactly 100 times past 1,000: 11 written (2 padding keys), 363 references: 1,100 nodes
    exact = _write(tmp_path, _bomb(363, padding=2))
    assert ch.chobolo_node_counts(yaml, exact) == (11, 1_100)
    assert len(ch.load_chobolo(exact)["all"]) == 363


def test_a_large_plain_file_is_allowed_twice_its_size(tmp_path):
    # No aliases: expanded == written, always within 2 x written, however large.
    text = "".join(f"k{i}: v\n" for i in range(8000))
    path = _write(tmp_path, text)
    assert ch.chobolo_node_counts(yaml, path) == (16001, 16001)
    assert len(ch.load_chobolo(path)) == 8000
    assert os.environ[ch.OMEGACONF_LIMIT_ENV] == str(2 * 16001 + ch.ALIAS_EXPANSION_FLOOR)


def test_each_loading_error_says_what_and_where(tmp_path):
    missing = str(tmp_path / "nope.yml")
    assert _refused(missing).message == "cannot read Ch-obolo: No such file or directory"
    bad = _refused(_write(tmp_path, "a: 1\nb: [unclosed\n"))
    # PyYAML's context, then its problem
    assert (
        bad.message
        == "invalid YAML: while parsing a flow sequence: did not find expected ',' or ']'"
    )
    assert "line" in bad.fields and "column" in bad.fields
    interp = _refused(_write(tmp_path, "a: ${nope}\n"))
    assert interp.message.startswith("cannot resolve interpolation: ")
    assert interp.fields.get("key") == "a"
    top = _refused(_write(tmp_path, "- a\n- b\n"))
    assert top.message == "the top level of a Ch-obolo must be a mapping"


def test_a_plugin_environment_without_omegaconf_is_an_internal_error(tmp_path, monkeypatch):
    # OmegaConf is a dependency of chaos-cli, but a plugin environment may be broken: the core
    # reports an `internal` error (a broken installation), not a broken Ch-obolo.
    monkeypatch.setitem(sys.modules, "omegaconf", None)
    with pytest.raises(HostError) as caught:
        ch.load_chobolo(_write(tmp_path, "a: 1\n"))
    assert caught.value.kind == "internal"
    assert caught.value.message.startswith("cannot import OmegaConf: ")


def test_errors_without_a_yaml_context_or_from_omegaconf_itself(tmp_path):
    # PyYAML gives no context for this one: the message is its problem alone.
    bad = _refused(_write(tmp_path, "a: b: c\n"))
    assert bad.message == "invalid YAML: mapping values are not allowed in this context"
    assert (bad.fields["line"], bad.fields["column"]) == (1, 5)
    # Valid YAML that OmegaConf cannot hold: OmegaConf's own words, first line only.
    unsupported = _refused(_write(tmp_path, "a: !!set {x}\n"))
    assert unsupported.message == (
        "cannot load Ch-obolo: Value 'set' is not a supported primitive type"
    )

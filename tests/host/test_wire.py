"""The host's framing and JSON conversion (chaos.host.wire), read directly: what plugin data
becomes on the wire, and how the host reads the core's lines, over real pipes."""

from __future__ import annotations

import json
import math
import os
from contextlib import contextmanager, suppress

import pytest
from chaos.host import wire
from chaos.host.wire import Channel, ProtocolError, encode, jsonable
from omegaconf import OmegaConf


class Payload:
    def __init__(self, data):
        self.data = data

    def to_dict(self):
        return self.data

    def __str__(self):
        return "<payload>"


class BrokenPayload(Payload):
    def to_dict(self):
        raise RuntimeError("no dict today")


class MappingWithToDict(dict):
    def to_dict(self):
        return {"from": "to_dict"}


class Unprintable:
    def __str__(self):
        raise ValueError("no text")


class ListLike:
    """Indexable and sized but not a list: OmegaConf's ListConfig and the like."""

    def __init__(self, items, broken=False):
        self.items, self.broken = items, broken

    def __getitem__(self, index):
        return self.items[index]

    def __len__(self):
        return len(self.items)

    def __iter__(self):
        if self.broken:
            raise RuntimeError("cannot iterate")
        return iter(self.items)

    def __str__(self):
        return "<list-like>"


class OnlyGetitem:
    def __getitem__(self, index):
        if index < 2:
            return index
        raise IndexError(index)

    def __str__(self):
        return "<lookup>"


def test_plain_values_stay_as_they_are():
    for value in (None, True, False, 0, 7, -3, "text", "", 1.5):
        assert jsonable(value) == value
    assert jsonable(math.inf) == "inf"
    assert jsonable(-math.inf) == "-inf"
    assert jsonable(math.nan) == "nan"


def test_containers_become_objects_and_arrays():
    assert jsonable({"a": (1, 2), 3: {"b"}, None: [b"x"]}) == {
        "a": [1, 2],
        "3": ["b"],
        "None": ["x"],
    }
    assert jsonable(b"caf\xc3\xa9 \xff") == "café \ufffd"
    assert jsonable(bytearray(b"raw")) == "raw"
    # Sets come out sorted, or by repr when their items cannot be compared.
    assert jsonable({3, 1, 2}) == [1, 2, 3]
    assert jsonable(frozenset({"b", "a"})) == ["a", "b"]
    assert jsonable({1, "a"}) == ["a", 1]  # by repr: "'a'" sorts before "1"
    assert jsonable(OmegaConf.create({"l": [1, {"k": "v"}]})) == {"l": [1, {"k": "v"}]}
    assert jsonable(ListLike([1, (2,)])) == [1, [2]]


def test_payloads_and_odd_objects_become_their_dict_or_text():
    assert jsonable(Payload({"ok": (1,)})) == {"ok": [1]}
    assert jsonable(BrokenPayload({})) == "<payload>"
    # A mapping is a mapping even when it has to_dict.
    assert jsonable(MappingWithToDict(a=1)) == {"a": 1}
    assert jsonable(ListLike([1], broken=True)) == "<list-like>"
    assert jsonable(OnlyGetitem()) == "<lookup>"  # indexable is not enough to be a list
    assert jsonable(Unprintable()) == "<unprintable Unprintable>"
    assert jsonable({Unprintable(): 1}) == {"<unprintable Unprintable>": 1}
    assert jsonable(object).startswith("<class")


def test_cycles_and_depth_are_cut_with_a_marker():
    cycle: dict = {"name": "loop"}
    cycle["self"] = cycle
    assert jsonable(cycle) == {"name": "loop", "self": "<recursion>"}
    payload = Payload(None)
    payload.data = {"again": payload}
    assert jsonable(payload) == {"again": "<recursion>"}
    # The same object twice, side by side, is not a cycle.
    shared = [1]
    assert jsonable({"a": shared, "b": shared}) == {"a": [1], "b": [1]}

    def nested(levels):
        value: list = []
        for _ in range(levels):
            value = [value]
        return value

    limit = wire._MAX_DEPTH
    assert json.dumps(jsonable(nested(limit - 1))) == "[" * limit + "]" * limit
    assert json.dumps(jsonable(nested(limit))) == "[" * limit + '"<too deep>"' + "]" * limit


def test_encode_is_one_compact_utf8_line():
    assert encode({"a": [1, 2], "é": "ü"}) == '{"a":[1,2],"é":"ü"}\n'.encode()
    assert encode({"name": "bad\udcffname"}) == b'{"name":"bad?name"}\n'
    with pytest.raises(ValueError):
        encode({"x": math.nan})  # jsonable() must have turned it into a string first


@pytest.fixture
def channel():
    request_r, request_w = os.pipe()
    reply_r, reply_w = os.pipe()
    guarded = []

    @contextmanager
    def guard():
        guarded.append("in")
        yield
        guarded.append("out")

    chan = Channel(request_r, reply_w, write_guard=guard)
    chan.guarded = guarded
    chan._reader_fd = request_r
    yield chan, request_w, reply_r
    chan.close()
    for fd in (request_w, reply_r):
        with suppress(OSError):  # a test may have closed it already
            os.close(fd)


def test_the_pipes_are_not_inherited_by_children(channel):
    chan, _, _ = channel
    assert not os.get_inheritable(chan._reader.fileno())
    assert not os.get_inheritable(chan._reply_fd)


def test_messages_are_whole_lines_written_under_the_guard(channel):
    chan, _, reply_r = channel
    chan.send({"type": "reply", "id": 1})
    chan.event("log", level="info", text="x" * 10_000)
    assert chan.guarded == ["in", "out", "in", "out"]
    data = b""
    while data.count(b"\n") < 2:
        data += os.read(reply_r, 1 << 16)
    first, second = data.splitlines()
    assert json.loads(first) == {"type": "reply", "id": 1}
    assert json.loads(second) == {
        "type": "event",
        "event": "log",
        "level": "info",
        "text": "x" * 10_000,
    }


def test_requests_are_read_until_eof_skipping_blank_lines(channel):
    chan, request_w, _ = channel
    os.write(request_w, b'{"id":1}\n\n  \n{"id":2}\n')
    os.close(request_w)
    assert list(chan.messages()) == [{"id": 1}, {"id": 2}]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b"[1, 2]\n", "request line is not a JSON object"),
        (b"{not json\n", "request line is not UTF-8 JSON: "),
        (b'{"a": "\xff"}\n', "request line is not UTF-8 JSON: "),
    ],
)
def test_a_line_that_is_not_a_json_object_ends_the_stream(channel, line, message):
    chan, request_w, _ = channel
    os.write(request_w, line)
    with pytest.raises(ProtocolError) as caught:
        next(chan.messages())
    assert str(caught.value).startswith(message)


def test_close_is_idempotent_and_closes_both_ends(channel):
    chan, _, reply_r = channel
    chan.close()
    chan.close()
    assert chan.closed
    assert chan._reader.closed
    for fd in (chan._reader_fd, chan._reply_fd):
        with pytest.raises(OSError):
            os.fstat(fd)
    assert os.read(reply_r, 1) == b""  # the core sees EOF

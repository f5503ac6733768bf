"""Transport, handshake and lifecycle of the role host."""

from __future__ import annotations

import os
import re
import signal
import time
from importlib.metadata import version

import pytest
from hostclient import PYTHON_DIR, REPO

PROTOCOL_DOC = REPO / "docs" / "protocol.md"


def test_hello_then_handshake(start_host, tmp_path, plugin_dir):
    client = start_host()
    hello = client.read()
    assert hello["type"] == "hello"
    assert hello["protocol"] == 1
    assert hello["pid"] == client.proc.pid
    assert hello["python"].count(".") == 2
    assert hello["pyinfra"] == version("pyinfra")
    # Exactly the methods docs/protocol.md §6 specifies: a method the host serves but does not
    # announce is one a core that checks capabilities will never call.
    documented = re.findall(r"^### 6\.\d+ `([a-z.]+)`$", PROTOCOL_DOC.read_text(), re.MULTILINE)
    assert sorted(hello["capabilities"]) == sorted(documented)
    # `-m` put the working directory first on sys.path; the host removes it.
    assert str(tmp_path) not in hello["sys_path"]
    assert str(PYTHON_DIR) in hello["sys_path"]

    result = client.call("handshake", {"protocol": 1, "sys_path_prepend": [plugin_dir.path]})
    assert result["protocol"] == 1
    assert result["pyinfra"] == version("pyinfra")
    assert result["pyinfra_error"] is None
    assert result["sys_path"][0] == plugin_dir.path

    assert client.call("shutdown") == {}
    assert client.wait() == 0
    assert client.read() is None


def test_unknown_protocol_is_refused(start_host):
    client = start_host()
    client.read()
    reply, _ = client.request("handshake", {"protocol": 2})
    assert reply["ok"] is False
    assert reply["error"]["kind"] == "protocol_mismatch"
    assert reply["error"]["supported"] == [1]
    assert "protocol 1" in reply["error"]["message"]
    assert client.wait() == 3


def test_first_request_must_be_the_handshake(start_host):
    client = start_host()
    client.read()
    request_id = client.send_request("manifest", {})
    reply = client.read()
    assert reply["id"] == request_id
    assert reply["ok"] is False and reply["error"]["kind"] == "protocol"
    assert client.wait() == 3


def test_malformed_line_is_a_protocol_error(start_host):
    client = start_host("--no-warm")
    client.handshake()
    client.send(b"{not json\n")
    reply = client.read()
    assert reply == {
        "type": "reply",
        "id": None,
        "ok": False,
        "error": {"kind": "protocol", "message": reply["error"]["message"]},
    }
    assert client.wait() == 3


@pytest.mark.parametrize(
    ("message", "said"),
    [
        ({"type": "event", "id": 1, "method": "shutdown"}, "expected a request, got type 'event'"),
        ({"id": 1, "method": "shutdown"}, "expected a request, got type None"),
        ({"type": "request", "id": [1], "method": "shutdown"}, "request id must be an integer"),
        ({"type": "request", "id": True, "method": "shutdown"}, "request id must be an integer"),
    ],
)
def test_a_message_that_is_no_request_is_a_protocol_error(start_host, message, said):
    client = start_host("--no-warm")
    client.handshake()
    client.send(message)
    reply = client.read()
    assert reply["ok"] is False and reply["error"]["kind"] == "protocol", reply
    assert said in reply["error"]["message"]
    assert client.wait() == 3


def test_params_may_be_left_out_or_null_but_must_be_an_object(start_host):
    client = start_host("--no-warm")
    client.handshake()
    for number, params in ((1, "absent"), (2, None)):
        message = {"type": "request", "id": number, "method": "manifest"}
        if params != "absent":
            message["params"] = params
        client.send(message)
        reply, _ = client.wait_reply(number)
        assert reply["ok"] is True, reply
    client.send({"type": "request", "id": 3, "method": "manifest", "params": ["keys"]})
    reply, _ = client.wait_reply(3)
    assert reply["error"] == {"kind": "bad_params", "message": "params must be an object"}
    assert client.call("shutdown") == {}
    assert client.wait() == 0

    client = start_host("--no-warm")
    client.handshake()
    reply, _ = client.request("frobnicate", {})
    assert reply["error"]["kind"] == "unknown_method"
    reply, _ = client.request("apply.prepare", {"roles": "nope"})
    assert reply["error"]["kind"] == "bad_params"
    reply, _ = client.request("apply.plan", {})
    assert reply["error"]["kind"] == "bad_state"
    reply, _ = client.request("apply.execute", {})
    assert reply["error"]["kind"] == "bad_state"
    assert client.call("shutdown") == {}
    assert client.wait() == 0


def test_eof_on_the_request_pipe_exits_cleanly(start_host):
    client = start_host()
    client.handshake()
    client.close_requests()
    assert client.wait(timeout=10) == 0
    assert client.read() is None


def test_eof_before_the_handshake_exits_cleanly(start_host):
    client = start_host("--no-warm")
    client.read()
    client.close_requests()
    assert client.wait(timeout=10) == 0


def test_sigint_while_idle_exits_130(start_host):
    client = start_host()
    client.handshake()
    started = time.monotonic()
    os.kill(client.proc.pid, signal.SIGINT)
    assert client.wait(timeout=10) == 130
    assert time.monotonic() - started < 3
    # No traceback on the user's terminal.
    assert "Traceback" not in client.stderr()


def test_host_without_pyinfra(start_host, tmp_path, plugin_dir):
    """The handshake and the manifest need only the standard library; apply needs pyinfra."""
    import subprocess
    import sys

    venv = tmp_path / "bare-venv"
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--without-pip", str(venv)], check=True)
    plugin_dir("plainplug", "keys = [{'a': 1}]\n")
    client = start_host(python=str(venv / "bin" / "python"))
    result = client.handshake([plugin_dir.path])
    assert client.hello["pyinfra"] is None
    assert result["pyinfra"] is None
    assert "pyinfra" in result["pyinfra_error"]
    manifest = client.call("manifest", {"keys": {"plain": "plainplug:keys"}})
    assert manifest["keys"]["plain"]["value"] == [{"a": 1}]
    reply, _ = client.request("apply.prepare", {"roles": []})
    assert reply["error"]["kind"] == "pyinfra_unavailable"


def test_a_malformed_sys_path_prepend_is_refused(start_host):
    for prepend in ("/plugins", ["/plugins", 3]):
        client = start_host("--no-warm")
        client.read()
        reply, _ = client.request("handshake", {"protocol": 1, "sys_path_prepend": prepend})
        assert reply["ok"] is False
        assert reply["error"] == {
            "kind": "bad_params",
            "message": "'sys_path_prepend' must be a list of strings",
        }
        assert client.wait() == 3  # like any failed handshake

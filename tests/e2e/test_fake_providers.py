"""The fake password-manager CLIs behave like the real ones for what chaos runs.

Each fake runs as a subprocess with the fakes first on PATH, exactly as the end-to-end tests
use them: round trips through the store, locked and logged-out states, the exit codes of bad
command lines, and that a secret given on stdin never reaches calls.jsonl.
"""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess

import pytest
from support.fake_providers import control

SECRET = "AGE-SECRET-KEY-1FAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE"


@pytest.fixture
def home(tmp_path):
    return tmp_path / "providers"


@pytest.fixture
def run(home):
    base = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "BW_SESSION",
            "BWS_ACCESS_TOKEN",
            "OP_SERVICE_ACCOUNT_TOKEN",
            "DOPPLER_TOKEN",
            "DOPPLER_PROJECT",
            "DOPPLER_CONFIG",
            "INFISICAL_TOKEN",
        )
    }
    environment = control.env(home, base)

    def invoke(*argv: str, stdin: str | bytes = b"", env: dict | None = None):
        data = stdin.encode() if isinstance(stdin, str) else stdin
        return subprocess.run(
            list(argv),
            check=False,
            input=data,
            capture_output=True,
            env={**environment, **(env or {})},
            timeout=30,
        )

    return invoke


def text(result) -> str:
    return result.stdout.decode()


def assert_secret_not_logged(home) -> None:
    log = (home / "calls.jsonl").read_text()
    assert SECRET not in log
    assert SECRET[:20] not in log


# --- the store ---------------------------------------------------------------------------


def test_unset_home_fails_loudly(run, home):
    result = run("bw", "status", env={"CHAOS_FAKE_PROVIDERS_HOME": ""})
    assert result.returncode == 70
    assert b"CHAOS_FAKE_PROVIDERS_HOME" in result.stderr


def test_store_files_are_private_and_calls_are_logged(run, home):
    control.seed_item(home, "bw", name="k", notes="n")
    assert run("bw", "get", "notes", "k").returncode == 0
    assert stat.S_IMODE((home / "bw.json").stat().st_mode) == 0o600
    assert stat.S_IMODE((home / "calls.jsonl").stat().st_mode) == 0o600
    assert control.calls(home) == [{"tool": "bw", "argv": ["get", "notes", "k"], "stdin_bytes": 0}]


# --- bw ----------------------------------------------------------------------------------


def test_bw_status_in_every_state(run, home):
    for status in ("unlocked", "locked", "unauthenticated"):
        control.set_state(home, "bw", status=status)
        result = run("bw", "status")
        assert result.returncode == 0
        body = json.loads(result.stdout)
        assert body["status"] == status
        assert {"serverUrl", "lastSync", "status"} <= body.keys()
        if status != "unauthenticated":
            assert {"userEmail", "userId"} <= body.keys()


def test_bw_create_from_stdin_then_get_notes_round_trip(run, home):
    template = json.loads(run("bw", "get", "template", "item").stdout)
    assert template["login"] is None and template["collectionIds"] is None
    template.update(type=2, name="chaos-sops", notes=SECRET + "\n", secureNote={"type": 0})
    encoded = run("bw", "encode", stdin=json.dumps(template)).stdout
    assert b"\n" not in encoded
    created = run("bw", "--nointeraction", "create", "item", stdin=encoded)
    assert created.returncode == 0, created.stderr
    item = json.loads(created.stdout)
    assert item["object"] == "item" and len(item["id"]) == 36
    by_name = run("bw", "get", "notes", "chaos-sops", "--raw")
    by_id = run("bw", "get", "--session=anything", "notes", item["id"])
    assert by_name.stdout == by_id.stdout == (SECRET + "\n").encode()
    assert_secret_not_logged(home)


def test_bw_create_with_argument_and_organization(run, home):
    request = {
        "type": 2,
        "name": "org",
        "notes": "x",
        "organizationId": "org-1",
        "collectionIds": ["col-1"],
        "secureNote": {"type": 0},
    }
    encoded = base64.b64encode(json.dumps(request).encode()).decode()
    item = json.loads(run("bw", "create", "item", encoded, "--pretty").stdout)
    assert item["organizationId"] == "org-1" and item["collectionIds"] == ["col-1"]
    request.pop("organizationId")
    encoded = base64.b64encode(json.dumps(request).encode()).decode()
    item = json.loads(run("bw", "create", "--organizationid", "org-2", "item", encoded).stdout)
    assert item["organizationId"] == "org-2"


def test_bw_errors(run, home):
    control.seed_item(home, "bw", name="dup", notes="a")
    control.seed_item(home, "bw", name="dup", notes="b")
    missing = run("bw", "get", "notes", "nothing")
    assert (missing.returncode, missing.stderr, missing.stdout) == (1, b"Not found.\n", b"")
    several = run("bw", "get", "notes", "dup")
    assert several.returncode == 1 and b"More than one result was found" in several.stderr
    assert run("bw", "get", "notes", "dup", "--bogus").returncode == 1
    assert run("bw", "frobnicate").returncode == 1
    control.set_state(home, "bw", status="locked")
    locked = run("bw", "get", "notes", "dup")
    assert (locked.returncode, locked.stderr) == (1, b"Vault is locked.\n")
    assert run("bw", "create", "item", stdin=b"e30=").stderr == b"Vault is locked.\n"
    control.set_state(home, "bw", status="unauthenticated")
    out = run("bw", "get", "notes", "dup")
    assert (out.returncode, out.stderr) == (1, b"You are not logged in.\n")


def test_bw_session_unlocks_a_locked_vault(run, home):
    control.seed_item(home, "bw", name="k", notes="n")
    control.set_state(home, "bw", status="locked", session="KEY")
    assert run("bw", "get", "notes", "k", "--session", "KEY").stdout == b"n"
    assert run("bw", "get", "notes", "k", env={"BW_SESSION": "KEY"}).stdout == b"n"
    assert run("bw", "get", "notes", "k", "--session", "WRONG").returncode == 1


# --- bws ---------------------------------------------------------------------------------


def test_bws_round_trip_and_listing(run, home):
    project = control.seed_project(home, "chaos")
    token = {"BWS_ACCESS_TOKEN": "0.fake"}
    created = run("bws", "secret", "create", "sops", SECRET, project, "--note", "n", env=token)
    assert created.returncode == 0, created.stderr
    secret = json.loads(created.stdout)
    got = run("bws", "secret", "get", secret["id"], "--output", "json", env=token)
    body = json.loads(got.stdout)
    assert body["value"] == SECRET and body["object"] == "secret"
    assert set(body) == {
        "object",
        "id",
        "organizationId",
        "projectId",
        "key",
        "value",
        "note",
        "creationDate",
        "revisionDate",
    }
    listed = json.loads(run("bws", "secret", "list", project, "-t", "0.fake").stdout)
    assert [s["id"] for s in listed] == [secret["id"]]
    projects = json.loads(run("bws", "project", "list", "--access-token=0.fake").stdout)
    assert [p["id"] for p in projects] == [project]


def test_bws_errors(run, home):
    missing_token = run("bws", "secret", "list")
    assert missing_token.returncode == 1 and b"Missing access token" in missing_token.stderr
    token = {"BWS_ACCESS_TOKEN": "0.fake"}
    unknown = run("bws", "secret", "get", "00000000-0000-0000-0000-000000000000", env=token)
    assert unknown.returncode == 1
    assert run("bws", "secret", "get", "not-a-uuid", env=token).returncode == 2
    assert run("bws", "secret", "get", "--bogus", env=token).returncode == 2


# --- rbw ---------------------------------------------------------------------------------


def test_rbw_add_get_list_round_trip(run, home):
    added = run(
        "rbw",
        "add",
        "chaos-sops",
        "--folder=chaos",
        "--uri",
        "https://x",
        stdin=f"placeholder\n# rbw template comment\n{SECRET}\nsecond line\n",
    )
    assert added.returncode == 0, added.stderr
    assert text(run("rbw", "get", "chaos-sops")) == "placeholder\n"
    assert text(run("rbw", "get", "chaos-sops", "--field", "notes")) == SECRET + "\nsecond line\n"
    assert text(run("rbw", "get", "--field=notes", "chaos-sops")) == SECRET + "\nsecond line\n"
    item_id = control.items(home, "rbw")[0]["id"]
    listing = text(run("rbw", "list", "--fields", "id,name", "--fields=folder"))
    assert listing == f"{item_id}\tchaos-sops\tchaos\n"
    assert text(run("rbw", "get", item_id, "--field", "notes")).startswith(SECRET)
    assert_secret_not_logged(home)


def test_rbw_locked_and_errors(run, home):
    control.seed_item(home, "rbw", name="k", password="p")
    assert run("rbw", "unlocked").returncode == 0
    assert run("rbw", "get", "nothing").returncode == 1
    assert run("rbw", "get", "k", "--bogus").returncode == 2
    assert run("rbw", "frob").returncode == 2
    control.set_state(home, "rbw", locked=True)
    unlocked = run("rbw", "unlocked")
    assert unlocked.returncode == 1 and unlocked.stderr
    assert run("rbw", "get", "k").returncode == 1
    assert run("rbw", "add", "new", stdin="p\n").returncode == 1


# --- op ----------------------------------------------------------------------------------


def test_op_create_from_stdin_then_read_round_trip(run, home):
    template = {
        "title": "chaos-sops",
        "category": "SECURE_NOTE",
        "fields": [
            {
                "id": "notesPlain",
                "type": "STRING",
                "purpose": "NOTES",
                "label": "notesPlain",
                "value": SECRET,
            }
        ],
        "tags": ["chaos"],
    }
    created = run(
        "op",
        "item",
        "create",
        "--vault",
        "Private",
        "--format",
        "json",
        "-",
        stdin=json.dumps(template),
    )
    assert created.returncode == 0, created.stderr
    item = json.loads(created.stdout)
    assert item["vault"]["name"] == "Private" and item["category"] == "SECURE_NOTE"
    assert text(run("op", "read", "op://Private/chaos-sops/notesPlain")) == SECRET + "\n"
    vault_id = item["vault"]["id"]
    by_id = run("op", "read", "-n", f"op://{vault_id}/{item['id']}/notesPlain")
    assert text(by_id) == SECRET
    got = json.loads(
        run("op", "item", "get", "chaos-sops", "--vault=Private", "--format=json").stdout
    )
    assert got["id"] == item["id"]
    assert_secret_not_logged(home)


def test_op_sections_and_errors(run, home):
    control.seed_item(
        home,
        "op",
        title="t",
        vault="Private",
        fields=[
            {"id": "f1", "label": "key", "value": "v", "section": {"id": "s1", "label": "chaos"}}
        ],
    )
    assert text(run("op", "read", "op://Private/t/chaos/key")) == "v\n"
    for reference, needle in (
        ("op://Nope/t/key", b"isn't a vault"),
        ("op://Private/nope/key", b"isn't an item"),
        ("op://Private/t/nope", b"does not have a field"),
    ):
        result = run("op", "read", reference)
        assert result.returncode == 1 and result.stderr.startswith(b"[ERROR] ")
        assert needle in result.stderr
    missing = run("op", "item", "get", "nope")
    assert missing.returncode == 1 and b'"nope" isn\'t an item' in missing.stderr
    assert run("op", "read", "--bogus", "op://Private/t/key").returncode == 1


def test_op_account_get_signed_in_or_not(run, home):
    assert json.loads(run("op", "account", "get", "--format", "json").stdout)["state"]
    control.set_state(home, "op", signed_in=False)
    out = run("op", "account", "get")
    assert out.returncode == 1 and b"You are not currently signed in" in out.stderr
    assert run("op", "read", "op://Private/t/key").returncode == 1


# --- doppler -----------------------------------------------------------------------------


def test_doppler_set_from_stdin_then_get_round_trip(run, home):
    login = {"DOPPLER_TOKEN": "dp.st.fake"}
    stored = run(
        "doppler",
        "secrets",
        "set",
        "CHAOS_SOPS",
        "--project",
        "infra",
        "--config",
        "prd",
        "--visibility=restricted",
        "--silent",
        "--no-interactive",
        stdin=SECRET + "\n",
        env=login,
    )
    assert stored.returncode == 0 and stored.stdout == b"", stored.stderr
    got = run(
        "doppler", "secrets", "get", "CHAOS_SOPS", "--plain", "-p", "infra", "-c", "prd", env=login
    )
    assert text(got) == SECRET + "\n"
    from_env = run(
        "doppler",
        "secrets",
        "get",
        "CHAOS_SOPS",
        "--plain",
        "-p",
        "infra",
        env={**login, "DOPPLER_CONFIG": "prd"},
    )
    assert text(from_env) == SECRET + "\n"
    noted = run(
        "doppler", "secrets", "notes", "set", "CHAOS_SOPS", "sops key", "-p", "infra", env=login
    )
    assert noted.returncode == 0
    assert control.items(home, "doppler")[0]["note"] == "sops key"
    assert control.items(home, "doppler")[0]["visibility"] == "restricted"
    assert_secret_not_logged(home)


def test_doppler_errors(run, home):
    assert run("doppler", "me", "--json").stderr == b"Doppler Error: you must provide a token\n"
    control.set_state(home, "doppler", logged_in=True)
    assert json.loads(run("doppler", "me", "--json").stdout)["workplace"]
    missing = run("doppler", "secrets", "get", "NOPE", "--plain", "-p", "x", "-c", "dev")
    assert missing.returncode == 1
    assert missing.stderr == b"Doppler Error: Could not find requested secret: NOPE\n"
    no_project = run("doppler", "secrets", "get", "NOPE", "--plain")
    assert no_project.returncode == 1 and no_project.stderr.startswith(b"Doppler Error: ")
    assert run("doppler", "secrets", "set", "A=b", "-p", "x", "-c", "dev").returncode == 0
    assert run("doppler", "secrets", "get", "A", "--bogus").returncode == 1


# --- infisical ---------------------------------------------------------------------------


def test_infisical_set_from_stdin_then_get_round_trip(run, home):
    login = {"INFISICAL_TOKEN": "st.fake"}
    stored = run(
        "infisical",
        "secrets",
        "set",
        "CHAOS_SOPS=@/dev/stdin",
        "--env",
        "prod",
        "--path=/chaos",
        "--type",
        "shared",
        stdin=SECRET,
        env=login,
    )
    assert stored.returncode == 0, stored.stderr
    got = run(
        "infisical",
        "secrets",
        "get",
        "CHAOS_SOPS",
        "--plain",
        "--env=prod",
        "--path",
        "/chaos",
        env=login,
    )
    assert text(got) == SECRET + "\n"
    assert_secret_not_logged(home)
    assert control.calls(home)[0]["stdin_bytes"] == len(SECRET)


def test_infisical_errors_and_version(run, home):
    assert text(run("infisical", "--version")).startswith("infisical version ")
    assert run("infisical", "secrets", "get", "X", "--plain").returncode == 1
    control.set_state(home, "infisical", logged_in=True)
    no_project = run("infisical", "secrets", "get", "X", "--plain")
    assert no_project.returncode == 1 and b"--projectId" in no_project.stderr
    control.seed_item(home, "infisical", name="X", value="1", projectId="p1")
    control.seed_item(home, "infisical", name="Y", value="2", projectId="p1")
    both = run("infisical", "secrets", "get", "X", "Y", "--plain", "--projectId", "p1")
    assert text(both) == "1\n2\n"
    missing = run("infisical", "secrets", "get", "Z", "--plain", "--projectId=p1")
    assert missing.returncode == 1
    assert run("infisical", "secrets", "get", "X", "--bogus").returncode == 1

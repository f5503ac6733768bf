"""`chaos secrets` and `chaos apply -s` with real sops, age and gpg (docs/secrets.md).

Every test makes its own keys: an age identity from age-keygen, and for gpg a key in a private
GNUPGHOME. sops is the pinned build from scripts/install-sops.sh (first on PATH in CI).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from support import logbook
from support.secrets import (
    PASSWORD,
    TOKEN,
    ProcessSampler,
    files_with,
    require_tool,
    secrets_chobolo,
    secrets_plain,
    sops_encrypt,
)
from support.terminal import converse_on_terminal


def test_print_cat_and_list_decrypt_with_the_chaos_age_key(chaos, age_secrets, age_key):
    printed = chaos.ok("secrets", "print").stdout
    assert "# the app's credentials" in printed and TOKEN in printed
    as_json = json.loads(chaos.ok("secrets", "print", "-j").stdout)
    assert as_json["user_secrets"]["alice"]["password"] == PASSWORD

    assert chaos.ok("secrets", "cat", "app.token", "-v").stdout == TOKEN + "\n"
    assert chaos.ok("secrets", "cat", "app.user").stdout == "app.user: deploy\n"
    both = json.loads(chaos.ok("secrets", "cat", "app.token", "user_secrets.alice", "-j").stdout)
    assert both == {"app.token": TOKEN, "user_secrets.alice": {"password": PASSWORD}}
    missing = chaos.run("secrets", "cat", "app.nope")
    assert missing.returncode == 1 and "`app.nope` is not in the secrets" in missing.stderr

    assert chaos.ok("secrets", "list", "age").stdout == age_key[1] + "\n"
    assert json.loads(chaos.ok("secrets", "list", "age", "-j").stdout) == [age_key[1]]
    assert chaos.run("secrets", "list", "pgp").stdout == ""


def test_check_secrets_lists_key_paths_never_values(chaos, age_secrets):
    listed = chaos.ok("check", "secrets")
    assert listed.stdout.split() == ["app.token", "app.user", "user_secrets.alice.password"]
    assert TOKEN not in listed.stdout + listed.stderr
    assert json.loads(chaos.ok("check", "secrets", "--json").stdout) == [
        "app.token",
        "app.user",
        "user_secrets.alice.password",
    ]


def test_flags_name_the_files_and_win_over_the_config(chaos, age_secrets, tmp_path):
    secrets, sops_config = age_secrets
    chaos.write_config("secrets_file: /nonexistent/secrets.yml\n")
    bad = chaos.run("secrets", "print")
    assert bad.returncode == 1
    assert "/nonexistent/secrets.yml" in bad.stderr and "secrets_file" in bad.stderr
    assert (
        TOKEN in chaos.ok("secrets", "print", "-sf", str(secrets), "-ss", str(sops_config)).stdout
    )


def test_wrong_key_and_tampered_file_are_refused_plainly(chaos, age_secrets, tmp_path):
    secrets, _ = age_secrets
    other = tmp_path / "other-key.txt"
    subprocess.run(["age-keygen", "-o", str(other)], check=True, capture_output=True)
    shutil.copy(other, chaos.config_dir / "keys.txt")
    wrong = chaos.run("secrets", "print")
    assert wrong.returncode == 1
    assert "sops could not decrypt" in wrong.stderr and "none of the keys" in wrong.stderr
    assert TOKEN not in wrong.stdout + wrong.stderr

    shutil.copy(age_secrets[0].with_name("secrets.yml"), tmp_path / "backup.yml")
    text = secrets.read_text()
    assert "ENC[AES256_GCM" in text
    start = text.index("ENC[AES256_GCM,data:") + len("ENC[AES256_GCM,data:")
    flipped = "A" if text[start] != "A" else "B"
    secrets.write_text(text[:start] + flipped + text[start + 1 :])
    tampered = chaos.run("secrets", "print", env={"SOPS_AGE_KEY_FILE": str(other)})
    assert tampered.returncode == 1 and "sops could not decrypt" in tampered.stderr


def test_edit_through_a_scripted_editor_re_encrypts(chaos, age_secrets, tmp_path):
    secrets, _ = age_secrets
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nsed -i "s/user: deploy/user: ops/" "$1"\n')
    editor.chmod(0o755)
    edited = chaos.run("secrets", "edit", env={"EDITOR": str(editor)})
    assert edited.returncode == 0, edited.stderr
    assert "user: ops" not in secrets.read_text()  # still encrypted on disk
    assert chaos.ok("secrets", "cat", "app.user", "-v").stdout == "ops\n"
    unchanged = chaos.run("secrets", "edit", env={"EDITOR": "true"})
    assert unchanged.returncode == 0 and "No changes" in unchanged.stderr


def test_sigterm_during_an_edit_stops_sops_and_the_editor_and_removes_the_plaintext(
    chaos, age_secrets, tmp_path
):
    secrets, _ = age_secrets
    before = secrets.read_text()
    ready = tmp_path / "editor-ready"
    editor = tmp_path / "slow-editor.sh"
    editor.write_text(f'#!/bin/sh\necho "$$ $1" > {ready}\nexec sleep 60\n')
    editor.chmod(0o755)
    env = {**chaos.env, "EDITOR": str(editor)}
    proc = subprocess.Popen(
        [str(chaos.binary), "secrets", "edit"],
        env=env,
        cwd=chaos.workdir,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    editor_pid, plaintext = ready.read_text().split()
    # The decrypted copy sops handed the editor is in chaos' private RAM directory.
    assert plaintext.startswith("/dev/shm/chaos-edit-") and TOKEN in Path(plaintext).read_text()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=15)
    assert proc.returncode == 143, err
    assert "editing stopped by signal 15; nothing was saved" in err
    assert not Path(plaintext).parent.exists()
    assert not Path(f"/proc/{editor_pid}").exists(), "the editor was left running"
    assert secrets.read_text() == before


def _gpg_key(tmp_path: Path, user_id: str) -> tuple[Path, dict, str]:
    """(GNUPGHOME, an environment using it, the fingerprint) of a new passphrase-less key."""
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    env = {**os.environ, "GNUPGHOME": str(home)}
    subprocess.run(
        ["gpg", "--batch", "--passphrase", "", "--quick-gen-key", user_id],
        check=True,
        capture_output=True,
        env=env,
    )
    listing = subprocess.run(
        ["gpg", "--with-colons", "--list-secret-keys"],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    return (
        home,
        env,
        next(line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr")),
    )


def test_gpg_encrypted_secrets_decrypt_with_the_users_keyring(chaos, tmp_path):
    require_tool("gpg")
    require_tool("sops")
    home, env, fingerprint = _gpg_key(tmp_path, "chaos-test <t@example.org>")
    sops_config = tmp_path / "sops.yml"
    sops_config.write_text(f"creation_rules:\n  - path_regex: .*\n    pgp: {fingerprint}\n")
    secrets = tmp_path / "secrets.yml"
    secrets.write_text(secrets_plain())
    sops_encrypt(sops_config, secrets, env)
    try:
        got = chaos.ok(
            "secrets",
            "cat",
            "app.token",
            "-v",
            "-sf",
            str(secrets),
            "-ss",
            str(sops_config),
            env={"GNUPGHOME": str(home)},
        )
        assert got.stdout == TOKEN + "\n"
        assert (
            chaos.ok("secrets", "list", "pgp", "-ss", str(sops_config)).stdout == fingerprint + "\n"
        )
    finally:
        subprocess.run(["gpgconf", "--kill", "gpg-agent"], env=env, check=False)


def test_apply_s_gives_class_and_legacy_roles_their_secrets_and_leaks_nothing(
    chaos, age_secrets, secrets_plugin, tmp_path
):
    chobolo, class_out, legacy_out = secrets_chobolo(tmp_path)
    started = time.time() - 1
    with ProcessSampler() as sampler:
        run = chaos.run(
            "apply",
            "secret-file",
            "legacy-secret-file",
            "-s",
            "-y",
            "--json",
            "-vvv",
            "-c",
            str(chobolo),
        )
    assert run.returncode == 0, run.stderr
    assert class_out.read_text() == TOKEN
    assert legacy_out.read_text() == TOKEN
    assert oct(class_out.stat().st_mode & 0o777) == "0o600"

    report = json.loads(run.stdout)
    assert report["success"] is True
    places = [run.stdout, run.stderr, *sampler.seen]
    assert [t for t in places if TOKEN in t or PASSWORD in t] == []
    # Every file chaos keeps, and every file that appeared in the temporary directories while
    # it ran (older ones are other tests' business).
    kept = (chaos.cache_dir, tmp_path / "state")
    for secret in (TOKEN, PASSWORD):
        leaked = files_with(secret, started, always=kept)
        assert [p for p in leaked if p not in (str(class_out), str(legacy_out))] == []
    assert sampler.seen, "the sampler read no process at all"


LEAKY_ROLE = """
import base64
from chaos.lib.roles.role import Role

class Leaky(Role):
    def __init__(self):
        super().__init__(name="leaky", needs_secrets=True, necessary_secret_dict_keys=["app.token"])

    def get_context(self, state, host, chobolo=None, secrets=None):
        token = secrets["app.token"]
        encoded = base64.b64encode(token.encode()).decode()
        raise RuntimeError(f"could not log in with {token} (as base64: {encoded})")

    def delta(self, context=None):
        raise AssertionError("never reached")

    def plan(self, state, host, delta=None):
        raise AssertionError("never reached")
"""


def test_a_value_a_role_puts_in_its_error_is_redacted_everywhere(
    chaos, age_secrets, plugin_env, tmp_path
):
    from support.wheelkit import write_wheel

    plugin_env.install(
        write_wheel(
            tmp_path / "wheels",
            "leaky-plugin",
            entry_points={"chaos.roles": {"leaky": "leaky_plugin:Leaky"}},
            modules={"leaky_plugin/__init__.py": LEAKY_ROLE},
        )
    )
    run = chaos.run("apply", "leaky", "-s", "-y", "--json")
    assert run.returncode == 1
    assert "could not log in with [redacted] (as base64: [redacted])" in run.stderr
    report = json.loads(run.stdout)
    assert "[redacted]" in json.dumps(report["errors"])
    stored = logbook.everything(tmp_path / "state")
    assert "could not log in with [redacted]" in stored  # the failure is recorded, redacted
    for text in (run.stdout, run.stderr, stored):
        assert TOKEN not in text
        assert base64.b64encode(TOKEN.encode()).decode() not in text


LEAKY_OPERATIONS = """
from pyinfra.api.operation import add_op
from pyinfra.operations import server
from chaos.lib.args.dataclasses import Delta
from chaos.lib.roles.role import Role

class LeakyOps(Role):
    # Puts the secret where the logbook looks: an operation's name, its arguments, its output.
    def __init__(self):
        super().__init__(name="leaky-ops", needs_secrets=True, necessary_secret_dict_keys=["app.token"])

    def get_context(self, state, host, chobolo=None, secrets=None):
        return {"token": secrets["app.token"]}

    def delta(self, context=None):
        self.token = context["token"]
        return Delta(to_add={"token": [self.token]})

    def plan(self, state, host, delta=None):
        add_op(state, server.shell, name=f"log in with {self.token}", commands=[f"echo {self.token}"], host=host)
"""


def test_a_secret_in_operations_reaches_no_logbook_event_or_export(
    chaos, age_secrets, plugin_env, tmp_path
):
    from support.wheelkit import write_wheel

    plugin_env.install(
        write_wheel(
            tmp_path / "wheels",
            "leaky-ops-plugin",
            entry_points={"chaos.roles": {"leaky-ops": "leaky_ops:LeakyOps"}},
            modules={"leaky_ops.py": LEAKY_OPERATIONS},
        )
    )
    run = chaos.run("apply", "leaky-ops", "-s", "-y", "-l", "-x", "--diff", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "log in with [redacted]" in run.stdout  # the progress event, redacted
    exported = (tmp_path / "chaos_logbook.json").read_text()
    assert "log in with [redacted]" in exported
    stored = logbook.everything(tmp_path / "state")
    assert "log in with [redacted]" in stored
    shown = chaos.ok("log", "show", "last", "--json").stdout
    for text in (run.stdout, run.stderr, exported, stored, shown):
        assert TOKEN not in text
        assert base64.b64encode(TOKEN.encode()).decode() not in text


def test_a_role_that_needs_secrets_is_skipped_without_s(
    chaos, age_secrets, secrets_plugin, tmp_path
):
    chobolo, class_out, _ = secrets_chobolo(tmp_path)
    run = chaos.run("apply", "secret-file", "-y", "-c", str(chobolo))
    # Not asked for secrets, chaos did what it was asked: the skip is reported, not a failure.
    assert run.returncode == 0
    assert "needs secrets (app)" in run.stdout and "pass -s" in run.stdout
    assert not class_out.exists()


def test_on_a_terminal_a_role_that_needs_secrets_asks_to_decrypt(
    chaos, age_secrets, secrets_plugin, tmp_path
):
    chobolo, class_out, _ = secrets_chobolo(tmp_path)
    args = ["apply", "secret-file", "-c", str(chobolo)]
    code, shown = converse_on_terminal(
        chaos, args, [("needs secrets: decrypt now?", "n"), ("Apply the changes", "y")]
    )
    assert "role secret-file (app) needs secrets: decrypt now? [Y/n]" in shown
    assert code == 0 and not class_out.exists() and "pass -s" in shown
    code, shown = converse_on_terminal(
        chaos, args, [("needs secrets: decrypt now?", "y"), ("Apply the changes", "y")]
    )
    assert code == 0, shown
    assert class_out.read_text() == TOKEN and TOKEN not in shown


def test_a_missing_secret_key_is_named_and_the_role_does_not_run(
    chaos, age_secrets, secrets_plugin, tmp_path
):
    _, sops_config = age_secrets
    chobolo, class_out, _ = secrets_chobolo(tmp_path)
    other = tmp_path / "secrets" / "secrets-other.yml"
    other.write_text("unrelated: 1\n")
    sops_encrypt(sops_config, other)
    run = chaos.run("apply", "secret-file", "-s", "-sf", str(other), "-y", "-c", str(chobolo))
    assert run.returncode == 1
    assert "its secrets (app) are not in the secrets file" in run.stdout
    assert not class_out.exists()


def test_init_secrets_age_from_nothing_to_a_decryptable_file(chaos, tmp_path):
    require_tool("sops")
    require_tool("age-keygen")
    chaos.write_config("# mine\npython: /usr/bin/python3\n")
    made = chaos.run("init", "secrets", "-y")
    assert made.returncode == 0, made.stderr
    config_text = (chaos.config_dir / "config.yml").read_text()
    assert config_text.startswith("# mine\npython: /usr/bin/python3\n")
    assert f"secrets_file: {chaos.config_dir / 'secrets.yml'}" in config_text
    assert f"sops_file: {chaos.config_dir / 'sops-config.yml'}" in config_text
    key = chaos.config_dir / "keys.txt"
    assert key.stat().st_mode & 0o077 == 0
    assert "change-me" not in (chaos.config_dir / "secrets.yml").read_text()
    assert (
        chaos.ok("secrets", "cat", "user_secrets.your_user.password", "-v").stdout == "change-me\n"
    )
    recipient = subprocess.run(
        ["age-keygen", "-y", str(key)], check=True, capture_output=True, text=True
    ).stdout.strip()
    assert chaos.ok("secrets", "list", "age").stdout == recipient + "\n"

    again = chaos.run("init", "secrets", "-y")
    assert again.returncode == 1 and "already exists" in again.stderr and "--force" in again.stderr
    key_before = key.read_text()
    forced = chaos.run("init", "secrets", "-y", "--force")
    assert forced.returncode == 0, forced.stderr
    assert key.read_text() == key_before  # the key is kept: only --new-key replaces it
    backups = sorted(p.name for p in chaos.config_dir.glob("*.bak"))
    assert len(backups) == 2 and all(
        n.startswith(("secrets.yml.", "sops-config.yml.")) for n in backups
    )
    assert (
        chaos.ok("secrets", "cat", "user_secrets.your_user.password", "-v").stdout == "change-me\n"
    )


def test_init_secrets_gpg_needs_a_key_from_the_keyring(chaos, tmp_path):
    require_tool("sops")
    require_tool("gpg")
    home, env, fingerprint = _gpg_key(tmp_path, "chaos-init <i@example.org>")

    def init_gpg(fingerprint: str):
        return chaos.run(
            "init",
            "secrets",
            "-y",
            "--engine",
            "gpg",
            "--gpg-fingerprint",
            fingerprint,
            env={"GNUPGHOME": str(home)},
        )

    try:
        bad = init_gpg("12AB")
        assert bad.returncode == 1 and "40 hexadecimal digits" in bad.stderr
        unknown = init_gpg("A" * 40)
        assert unknown.returncode == 1 and "no secret gpg key" in unknown.stderr
        made = init_gpg(fingerprint)
        assert made.returncode == 0, made.stderr
        assert not (chaos.config_dir / "keys.txt").exists()
        got = chaos.ok("secrets", "cat", "user_secrets", "-j", env={"GNUPGHOME": str(home)})
        assert json.loads(got.stdout) == {"user_secrets": {"your_user": {"password": "change-me"}}}
        assert chaos.ok("secrets", "list", "pgp").stdout == fingerprint + "\n"
    finally:
        subprocess.run(["gpgconf", "--kill", "gpg-agent"], env=env, check=False)


def _new_age_key(tmp_path: Path, name: str) -> tuple[Path, str]:
    key = tmp_path / name
    subprocess.run(["age-keygen", "-o", str(key)], check=True, capture_output=True)
    public = subprocess.run(
        ["age-keygen", "-y", str(key)], check=True, capture_output=True, text=True
    ).stdout
    return key, public.strip()


def _decrypts_with(chaos, *keys: Path) -> bool:
    combined = Path(str(keys[0]) + ".combined")
    combined.write_text("".join(k.read_text() for k in keys))
    run = chaos.run("secrets", "cat", "app.token", "-v", env={"SOPS_AGE_KEY_FILE": str(combined)})
    return run.returncode == 0 and run.stdout == TOKEN + "\n"


def test_rotate_add_then_rm_moves_the_file_to_the_new_key(chaos, age_secrets, age_key, tmp_path):
    _, sops_config = age_secrets
    old_key = age_key[0]
    new_key, new_public = _new_age_key(tmp_path, "new-key.txt")
    assert _decrypts_with(chaos, old_key) and not _decrypts_with(chaos, new_key)

    added = chaos.run("secrets", "rotate-add", "age", new_public, "-u")
    assert added.returncode == 0, added.stderr
    assert "rule 0: added " + new_public in added.stdout
    text = sops_config.read_text()
    assert "  # everything named secrets*.yml\n" in text  # the user's comment stays
    assert _decrypts_with(chaos, new_key)
    assert chaos.ok("secrets", "list", "age").stdout.split() == [age_key[1], new_public]

    again = chaos.run("secrets", "rotate-add", "age", new_public, "-u")
    assert again.returncode == 0 and "No change" in again.stdout

    removed = chaos.run("secrets", "rotate-rm", "age", age_key[1], "-u")
    assert removed.returncode == 0, removed.stderr
    assert _decrypts_with(chaos, new_key)
    assert not _decrypts_with(chaos, old_key)
    assert "  # everything named secrets*.yml\n" in sops_config.read_text()

    bad = chaos.run("secrets", "rotate-add", "age", "age1notakey")
    assert bad.returncode == 2 and "not an age public key" in bad.stderr


def test_set_shamir_over_two_key_groups_needs_both_keys(chaos, tmp_path, age_key):
    require_tool("sops")
    key_a, public_a = age_key
    key_b, public_b = _new_age_key(tmp_path, "b-key.txt")
    sops_config = tmp_path / "sops.yml"
    sops_config.write_text(
        f"creation_rules:\n  - path_regex: secrets.*\\.yml$\n    key_groups:\n      - age:\n          - {public_a}\n"
    )
    secrets = tmp_path / "secrets.yml"
    secrets.write_text(secrets_plain())
    sops_encrypt(sops_config, secrets)
    chaos.write_config(f"secrets_file: {secrets}\nsops_file: {sops_config}\n")

    one_group = chaos.run("secrets", "set-shamir", "0", "2")
    assert one_group.returncode == 1 and "needs at least 2" in one_group.stderr
    grouped = chaos.run(
        "secrets", "rotate-add", "age", public_b, "-cr", "-u", env={"SOPS_AGE_KEY_FILE": str(key_a)}
    )
    assert grouped.returncode == 0, grouped.stderr
    shamir = chaos.run(
        "secrets", "set-shamir", "0", "2", "-u", env={"SOPS_AGE_KEY_FILE": str(key_a)}
    )
    assert shamir.returncode == 0, shamir.stderr
    assert "shamir_threshold: 2" in sops_config.read_text()
    assert not _decrypts_with(chaos, key_a)
    assert not _decrypts_with(chaos, key_b)
    assert _decrypts_with(chaos, key_a, key_b)


def test_secrets_print_and_edit_leave_no_value_in_argv_environment_or_files(
    chaos, age_secrets, tmp_path
):
    started = time.time() - 1
    seen_plaintext = tmp_path / "editor-saw.txt"
    # The editor lingers so the sampler sees every process while sops holds the plaintext.
    editor = tmp_path / "editor.sh"
    editor.write_text(
        f'#!/bin/sh\ncp "$1" {seen_plaintext}.tmp\necho "$1" > {seen_plaintext}\nsleep 0.5\n'
    )
    editor.chmod(0o755)
    with ProcessSampler() as sampler:
        printed = chaos.run("secrets", "print")
        edited = chaos.run("secrets", "edit", env={"EDITOR": str(editor)})
    assert printed.returncode == 0 and TOKEN in printed.stdout  # printing is its job
    assert edited.returncode == 0, edited.stderr
    # sops handed the editor its plaintext copy in chaos' private RAM directory, gone now.
    where = Path(seen_plaintext.read_text().strip())
    assert str(where).startswith("/dev/shm/chaos-edit-"), where
    assert not where.parent.exists()
    Path(f"{seen_plaintext}.tmp").unlink()
    assert sampler.seen
    assert [t for t in sampler.seen if TOKEN in t or PASSWORD in t] == []
    leaked = [
        p for p in files_with(TOKEN, started) if not p.startswith(str(tmp_path / "editor-saw"))
    ]
    assert leaked == []

"""Keys in password managers (docs/secrets-providers.md): `chaos secrets export|import`, `-p`
and the `--from-X` flags with the six built-in providers and a plugin provider.

The built-in providers run their vendors' CLIs; those cannot reach their clouds here, so the
tests put stand-ins first on PATH (tests/support/fake_providers: same arguments, exit codes and
output formats, items in a scratch store, and a log of every argv). sops, age and gpg are real;
the plugin provider is examples/chaos-pass-provider on the real `pass`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from support.fake_providers import control
from support.fake_vault import FakeVault
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

# What each built-in provider needs on the export command line, and how its items are named.
EXPORT_OPTIONS = {
    "bw": [],
    "rbw": [],
    "op": ["--vault", "Private"],
    "dp": ["--project-name", "infra", "--config-name", "prd"],
    "in": ["--env-name", "prod", "--secret-path", "/sops"],
}
FLAGS = {
    "bw": "--from-bw",
    "rbw": "--from-rbw",
    "op": "--from-op",
    "dp": "--from-doppler",
    "in": "--from-in",
}
ITEM_NAME = {
    "bw": "laptop",
    "rbw": "laptop",
    "op": "laptop",
    "dp": "SOPS_AGE_KEY",
    "in": "SOPS_AGE_KEY",
}


@pytest.fixture
def fakes(chaos, tmp_path):
    """The stand-in CLIs first on chaos' PATH, logged in and unlocked, with an empty store."""
    home = tmp_path / "provider-store"
    bin_dir = control.install(home)
    chaos.env["PATH"] = f"{bin_dir}{os.pathsep}{chaos.env['PATH']}"
    chaos.env[control.HOME_VAR] = str(home)
    chaos.env["BWS_ACCESS_TOKEN"] = "0.fake-machine-token"
    chaos.env["DOPPLER_TOKEN"] = "dp.st.fake"
    chaos.env["INFISICAL_TOKEN"] = "st.fake"
    return home


def _secret_key(key_file: Path) -> str:
    return next(
        line for line in key_file.read_text().splitlines() if line.startswith("AGE-SECRET-KEY-")
    )


def _item_from(output: str) -> str:
    return next(line.split(": ", 1)[1] for line in output.splitlines() if line.startswith("Item: "))


def _no_key_in_any_argv(home: Path, key: str) -> None:
    calls = control.calls(home)
    assert calls, "no provider CLI was run"
    assert [c for c in calls if any(key in arg for arg in c["argv"])] == []


@pytest.mark.parametrize("provider", sorted(EXPORT_OPTIONS))
def test_export_decrypt_and_import_through_each_builtin_provider(
    chaos, fakes, age_secrets, age_key, provider
):
    key_file, recipient = age_key
    secret = _secret_key(key_file)
    chaos.write_config(
        "# my settings\n" + (chaos.config_dir / "config.yml").read_text() + "aliases:\n  a: b\n"
    )
    exported = chaos.ok(
        "secrets",
        "export",
        provider,
        "-t",
        "age",
        "-n",
        ITEM_NAME[provider],
        "-k",
        str(key_file),
        "--save-to-config",
        *EXPORT_OPTIONS[provider],
    )
    item = _item_from(exported.stdout)
    config = (chaos.config_dir / "config.yml").read_text()
    assert config.startswith("# my settings\n") and "aliases:\n  a: b\n" in config
    assert f"secret_providers:\n  {provider}:\n" in config and item in config
    _no_key_in_any_argv(fakes, secret)

    # Only the provider holds the key now.
    (chaos.config_dir / "keys.txt").unlink()
    assert chaos.run("secrets", "cat", "app.token", "-v").returncode == 1
    direct = chaos.ok("secrets", "cat", "app.token", "-v", FLAGS[provider], item, "age")
    assert direct.stdout == TOKEN + "\n"
    configured = chaos.ok("secrets", "cat", "app.token", "-v", "-p", f"{provider}.age")
    assert configured.stdout == TOKEN + "\n"

    imported = chaos.ok("secrets", "import", provider, "-t", "age", "-i", item)
    assert "Imported the age key" in imported.stdout and recipient in imported.stdout
    keys = chaos.config_dir / "keys.txt"
    assert secret in keys.read_text() and oct(keys.stat().st_mode & 0o777) == "0o600"
    assert chaos.ok("secrets", "cat", "app.token", "-v").stdout == TOKEN + "\n"
    again = chaos.ok("secrets", "import", provider, "-t", "age", "-i", item)
    assert "already holds this age key" in again.stdout
    assert keys.read_text().count(secret) == 1
    _no_key_in_any_argv(fakes, secret)


def test_bws_reads_a_secret_and_refuses_to_export_through_argv(chaos, fakes, age_secrets, age_key):
    key_file, _ = age_key
    secret_id = control.seed_item(fakes, "bws", key="SOPS_AGE", value=key_file.read_text())
    (chaos.config_dir / "keys.txt").unlink()
    got = chaos.ok("secrets", "print", "-j", "-B", secret_id, "age")
    assert json.loads(got.stdout)["app"]["token"] == TOKEN

    refused = chaos.run("secrets", "export", "bws", "-t", "age", "-n", "k", "-k", str(key_file))
    assert refused.returncode == 1
    assert "takes the value only on its command line" in refused.stderr
    assert "--from-bws" in refused.stderr
    assert [c for c in control.calls(fakes) if "create" in c["argv"]] == []

    no_token = chaos.run("secrets", "print", "-B", secret_id, "age", env={"BWS_ACCESS_TOKEN": None})
    assert no_token.returncode == 1 and "BWS_ACCESS_TOKEN is not set" in no_token.stderr


def test_locked_and_logged_out_providers_say_what_to_run(chaos, fakes, age_secrets, age_key):
    key_file, _ = age_key
    bw_item = control.seed_item(fakes, "bw", name="k", notes=key_file.read_text())
    control.set_state(fakes, "bw", status="locked")
    locked = chaos.run("secrets", "print", "-b", bw_item, "age")
    assert locked.returncode == 1
    assert "Bitwarden is locked" in locked.stderr and "bw unlock" in locked.stderr
    control.set_state(fakes, "bw", status="unauthenticated")
    out = chaos.run("secrets", "print", "-b", bw_item, "age")
    assert "Bitwarden is unauthenticated" in out.stderr and "bw login" in out.stderr

    control.set_state(fakes, "rbw", locked=True)
    rbw = chaos.run("secrets", "print", "-rb", "k", "age")
    assert rbw.returncode == 1 and "rbw unlock" in rbw.stderr

    control.set_state(fakes, "op", signed_in=False)
    op = chaos.run("secrets", "print", "-o", "op://Private/k/password", "age")
    assert (
        op.returncode == 1 and "not currently signed in" in op.stderr and "op signin" in op.stderr
    )

    missing = chaos.run("secrets", "print", "-b", "no-such-item", "age")
    assert missing.returncode == 1 and "Bitwarden" in missing.stderr


def test_no_import_items_decrypt_but_are_never_installed(chaos, fakes, age_secrets, age_key):
    key_file, _ = age_key
    exported = chaos.ok(
        "secrets", "export", "bw", "-t", "age", "-n", "shared", "-k", str(key_file), "-N"
    )
    item = _item_from(exported.stdout)
    (chaos.config_dir / "keys.txt").unlink()
    assert chaos.ok("secrets", "cat", "app.token", "-v", "-b", item, "age").stdout == TOKEN + "\n"
    refused = chaos.run("secrets", "import", "bw", "-t", "age", "-i", item)
    assert refused.returncode == 1 and "NO-IMPORT" in refused.stderr
    assert not (chaos.config_dir / "keys.txt").exists()


def test_provider_choice_errors_name_the_setting(chaos, fakes, age_secrets):
    no_default = chaos.run("secrets", "print", "-p")
    assert no_default.returncode == 1 and "secret_providers.default" in no_default.stderr
    bad = chaos.run("secrets", "print", "-p", "bw")
    assert bad.returncode == 1 and "is not PROVIDER.KEYTYPE" in bad.stderr
    unknown = chaos.run("secrets", "print", "-p", "keepass.age")
    assert unknown.returncode == 1 and "there is no provider `keepass`" in unknown.stderr
    chaos.write_config(
        (chaos.config_dir / "config.yml").read_text()
        + "secret_providers:\n  default: bw.gpg\n  bw:\n    age_id: x\n"
    )
    no_item = chaos.run("secrets", "print", "-p")
    assert no_item.returncode == 1 and "names no gpg item" in no_item.stderr
    dash = chaos.run("secrets", "print", "-b", "--help", "age")
    assert dash.returncode != 0
    two = chaos.run("secrets", "print", "-b", "x", "age", "-o", "op://a/b/c", "age")
    assert two.returncode == 1 and "more than one provider" in two.stderr
    typo = chaos.run("secrets", "print", "-b", "x", "agee")
    assert typo.returncode == 1 and "not a key type" in typo.stderr
    without_s = chaos.run("apply", "x", "-b", "x", "age")
    assert without_s.returncode == 2 and "they need -s" in without_s.stderr


def _gpg(home: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["gpg", "--batch", "--homedir", str(home), *args],
        check=True,
        capture_output=True,
        **kwargs,
    )


def test_gpg_key_exported_to_a_provider_decrypts_without_the_keyring(chaos, fakes, tmp_path):
    require_tool("gpg")
    require_tool("sops")
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    _gpg(
        home, "--passphrase", "", "--quick-gen-key", "chaos-test@example.org", "default", "default"
    )
    listing = _gpg(home, "--with-colons", "-K", text=True).stdout
    fingerprint = next(
        line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr")
    )
    sops_config = tmp_path / "sops.yml"
    sops_config.write_text(f"creation_rules:\n  - pgp: {fingerprint}\n")
    secrets = tmp_path / "secrets.yml"
    secrets.write_text(secrets_plain())
    sops_encrypt(sops_config, secrets, {**os.environ, "GNUPGHOME": str(home)})
    try:
        exported = chaos.ok(
            "secrets",
            "export",
            "bw",
            "-t",
            "gpg",
            "-n",
            "gpg",
            "-f",
            fingerprint,
            env={"GNUPGHOME": str(home)},
        )
        item = _item_from(exported.stdout)
        stored = control.items(fakes, "bw")[0]["notes"]
        assert stored.startswith(
            f"# fingerprints: ['{fingerprint}']\n-----BEGIN PGP PRIVATE KEY BLOCK"
        )
        # An empty keyring: only the provider's copy can decrypt.
        empty = tmp_path / "empty-gnupg"
        empty.mkdir(mode=0o700)
        before = set(os.listdir("/dev/shm"))
        got = chaos.ok(
            "secrets",
            "cat",
            "app.token",
            "-v",
            "-sf",
            str(secrets),
            "-b",
            item,
            "gpg",
            env={"GNUPGHOME": str(empty)},
        )
        assert got.stdout == TOKEN + "\n"
        assert [n for n in set(os.listdir("/dev/shm")) - before if n.startswith("chaos-")] == []

        imported = chaos.ok(
            "secrets", "import", "bw", "-t", "gpg", "-i", item, env={"GNUPGHOME": str(empty)}
        )
        assert fingerprint in imported.stdout
        assert fingerprint in _gpg(empty, "--with-colons", "-K", text=True).stdout
    finally:
        for h in (home, tmp_path / "empty-gnupg"):
            subprocess.run(
                ["gpgconf", "--kill", "gpg-agent"],
                env={**os.environ, "GNUPGHOME": str(h)},
                check=False,
            )


@pytest.fixture
def pass_store(chaos, tmp_path, plugin_env, example_wheel):
    """The example pass provider installed, and a password store on a fresh gpg key."""
    require_tool("pass")
    plugin_env.install(example_wheel("chaos-pass-provider"))
    home = tmp_path / "pass-gnupg"
    home.mkdir(mode=0o700)
    _gpg(
        home, "--passphrase", "", "--quick-gen-key", "pass-store@example.org", "default", "default"
    )
    store = tmp_path / "password-store"
    env = {**os.environ, "GNUPGHOME": str(home), "PASSWORD_STORE_DIR": str(store)}
    subprocess.run(
        ["pass", "init", "pass-store@example.org"], env=env, check=True, capture_output=True
    )
    chaos.env["GNUPGHOME"] = str(home)
    chaos.env["PASSWORD_STORE_DIR"] = str(store)
    yield store
    subprocess.run(["gpgconf", "--kill", "gpg-agent"], env=env, check=False)


def test_plugin_provider_stores_the_key_and_apply_reads_it(
    chaos, pass_store, age_secrets, age_key, secrets_plugin, tmp_path
):
    key_file, _ = age_key
    secret = _secret_key(key_file)
    assert "pass" in chaos.ok("check", "providers").stdout.split()
    exported = chaos.ok(
        "secrets", "export", "pass", "-t", "age", "-n", "chaos/age", "-k", str(key_file), "-s"
    )
    assert "Stored the key in pass as chaos/age." in exported.stdout
    assert "pass:\n    age_id: chaos/age" in (chaos.config_dir / "config.yml").read_text()
    assert not list(pass_store.rglob("*.txt"))  # pass keeps it gpg-encrypted

    (chaos.config_dir / "keys.txt").unlink()
    chobolo, class_out, legacy_out = secrets_chobolo(tmp_path)
    started = time.time() - 1
    with ProcessSampler() as sampler:
        run = chaos.run(
            "apply",
            "secret-file",
            "legacy-secret-file",
            "-s",
            "-p",
            "pass.age",
            "-y",
            "--json",
            "-c",
            str(chobolo),
        )
    assert run.returncode == 0, run.stderr
    assert class_out.read_text() == TOKEN and legacy_out.read_text() == TOKEN
    assert [t for t in [run.stdout, run.stderr, *sampler.seen] if secret in t or TOKEN in t] == []
    leaked = files_with(secret, started, always=(chaos.cache_dir,))
    assert [p for p in leaked if p != str(key_file)] == []

    dup = chaos.run(
        "secrets", "export", "pass", "-t", "age", "-n", "chaos/age", "-k", str(key_file)
    )
    assert dup.returncode == 1 and "already has an entry" in dup.stderr
    imported = chaos.ok("secrets", "import", "pass", "-t", "age", "-i", "chaos/age")
    assert secret in (chaos.config_dir / "keys.txt").read_text()
    assert "Imported the age key" in imported.stdout

    broken = chaos.run(
        "secrets", "print", "-p", "pass.age", env={"PASSWORD_STORE_DIR": str(tmp_path / "none")}
    )
    assert broken.returncode == 1 and "no password store" in broken.stderr


def test_apply_with_a_builtin_provider_leaks_the_key_nowhere(
    chaos, fakes, age_secrets, age_key, secrets_plugin, tmp_path
):
    key_file, _ = age_key
    secret = _secret_key(key_file)
    item = control.seed_item(fakes, "bw", name="k", notes=key_file.read_text())
    (chaos.config_dir / "keys.txt").unlink()
    chobolo, class_out, _ = secrets_chobolo(tmp_path)
    started = time.time() - 1
    with ProcessSampler() as sampler:
        run = chaos.run(
            "apply", "secret-file", "-s", "-b", item, "age", "-y", "-vvv", "-c", str(chobolo)
        )
    assert run.returncode == 0, run.stderr
    assert class_out.read_text() == TOKEN
    seen = [run.stdout, run.stderr, *sampler.seen]
    assert [t for t in seen if secret in t or TOKEN in t or PASSWORD in t] == []
    leaked = files_with(secret, started, always=(chaos.cache_dir, tmp_path / "state"))
    # The test's own key file and the stand-in's store (the provider's "cloud") hold it.
    assert [p for p in leaked if p != str(key_file) and not p.startswith(str(fakes))] == []


def test_team_layout_reads_the_teams_files_and_refuses_escapes(chaos, age_secrets, tmp_path):
    secrets, sops_config = age_secrets
    teams = tmp_path / "teams"
    group = teams / "acme" / "ops" / "secrets" / "db"
    group.mkdir(parents=True)
    shutil.copy(sops_config, teams / "acme" / "ops" / "sops-config.yml")
    shutil.copy(secrets, group / "secrets.yml")
    chaos.write_config("")  # nothing configured: -t alone finds both files
    env = {"CHAOS_TEAMS_DIR": str(teams)}
    got = chaos.ok("secrets", "cat", "app.token", "-v", "-t", "acme.ops.db", env=env)
    assert got.stdout == TOKEN + "\n"
    assert chaos.ok("secrets", "list", "age", "-t", "acme.ops", env=env).stdout.startswith("age1")
    missing = chaos.run("secrets", "print", "-t", "acme.ops", env=env)
    assert (
        missing.returncode == 1
        and str(teams / "acme" / "ops" / "secrets" / "secrets.yml") in missing.stderr
    )
    for bad in ("acme", "acme..db", "acme/x.ops", "a.b.c.d"):
        out = chaos.run("secrets", "print", "-t", bad, env=env)
        assert out.returncode == 1 and "COMPANY.TEAM" in out.stderr, bad
    nowhere = chaos.run("secrets", "print", "-t", "acme.dev", env=env)
    assert nowhere.returncode == 1 and "is not at" in nowhere.stderr
    escape = chaos.run("secrets", "print", "-t", "acme.ops.db", "-sf", "../../../x.yml", env=env)
    assert escape.returncode == 1 and "may not leave" in escape.stderr
    absolute = chaos.run("secrets", "print", "-t", "acme.ops.db", "-sf", str(secrets), env=env)
    assert absolute.returncode == 1 and "may not leave" in absolute.stderr


def test_vault_token_from_a_provider_decrypts_rotates_and_imports(chaos, fakes, tmp_path):
    require_tool("sops")
    token = "hvs.CAESIvault-test-token-0123456789"
    with FakeVault(token) as vault:
        first, second = vault.key_uri("sops"), vault.key_uri("second")
        sops_config = tmp_path / "sops.yml"
        sops_config.write_text(
            "creation_rules:\n"
            f"  - path_regex: secrets.*\\.yml$\n    hc_vault_transit_uri: {first}\n"
        )
        secrets = tmp_path / "secrets.yml"
        secrets.write_text(secrets_plain())
        sops_encrypt(sops_config, secrets, {**os.environ, "VAULT_TOKEN": token})
        chaos.write_config(f"secrets_file: {secrets}\nsops_file: {sops_config}\n")
        token_file = tmp_path / "vault-token"
        token_file.write_text(token + "\n")
        exported = chaos.ok(
            "secrets",
            "export",
            "bw",
            "-t",
            "vault",
            "-n",
            "vault",
            "-k",
            str(token_file),
            "-a",
            vault.address,
        )
        item = _item_from(exported.stdout)
        assert control.items(fakes, "bw")[0]["notes"] == (
            f"# Vault Address:: {vault.address}\nVault Key: {token}\n"
        )

        # Nothing but the provider has the token: no VAULT_TOKEN, no ~/.vault-token.
        refused = chaos.run("secrets", "print")
        assert refused.returncode == 1 and "Vault refused the token" in refused.stderr
        assert vault.requests and not any(r["authorised"] for r in vault.requests[1:])
        asked_before = len(vault.requests)
        before = set(os.listdir("/dev/shm"))
        with ProcessSampler() as sampler:
            got = chaos.ok("secrets", "cat", "app.token", "-v", "-b", item, "vault")
        assert got.stdout == TOKEN + "\n"
        assert [t for t in sampler.seen if token in t] == []
        assert [n for n in set(os.listdir("/dev/shm")) - before if n.startswith("chaos-")] == []
        _no_key_in_any_argv(fakes, token)

        # A second transit key, and the file re-encrypted for it with the provider's token.
        rotated = chaos.ok("secrets", "rotate-add", "vault", second, "-u", "-b", item, "vault")
        assert "Re-encrypted" in rotated.stdout
        assert chaos.ok("secrets", "list", "vault").stdout.split() == [first, second]
        assert secrets.read_text().count("vault:v1:") == 2
        bad = chaos.run("secrets", "rotate-add", "vault", "https://vault/transit/x")
        assert bad.returncode == 2 and "not a Vault transit key URI" in bad.stderr

        imported = chaos.ok("secrets", "import", "bw", "-t", "vault", "-i", item)
        assert "Wrote the Vault token" in imported.stdout
        assert (chaos.home / ".vault-token").read_text() == token + "\n"
        assert chaos.ok("secrets", "cat", "app.token", "-v").stdout == TOKEN + "\n"
        assert all(r["authorised"] for r in vault.requests[asked_before:])


def test_a_vault_token_typed_at_the_prompt_is_exported_and_never_shown(chaos, fakes):
    token = "hvs.typed-at-the-terminal-42"
    code, shown = converse_on_terminal(
        chaos,
        ["secrets", "export", "bw", "-t", "vault", "-n", "v", "-a", "https://vault:8200"],
        [("Vault token (not shown): ", token)],
    )
    assert code == 0, shown
    assert token not in shown
    assert control.items(fakes, "bw")[0]["notes"].endswith(f"Vault Key: {token}\n")
    _no_key_in_any_argv(fakes, token)

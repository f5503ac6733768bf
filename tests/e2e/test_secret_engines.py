"""The secrets engines, for real: the pinned sops (scripts/install-sops.sh, <repo>/.tools/bin)
encrypting and decrypting with an age key that reaches it only through an inherited descriptor,
and with a gpg key living in a throwaway GNUPGHOME; tampering caught by its MAC; the installer
a no-op the second time. docs/secrets-engines.md records what these tests establish.

Every sops run gets a scrubbed environment (its own HOME and XDG_CONFIG_HOME, no SOPS_* but
SOPS_DISABLE_VERSION_CHECK) so no key of the machine's user can stand in for the one under test,
and sops never asks GitHub for its latest version.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml
from support.environments import ROOT

SOPS = ROOT / ".tools" / "bin" / "sops"
INSTALL_SOPS = ROOT / "scripts" / "install-sops.sh"
SOPS_VERSION = re.search(r"^SOPS_VERSION=(\S+)", INSTALL_SOPS.read_text(), re.MULTILINE).group(1)

PLAIN = "db:\n  user: chaos\n  password: hunter2\nports: [22, 443]\nenabled: true\n"

# sops 3.13.3, cmd/sops/codes/codes.go: the exit statuses of `sops decrypt` checked below.
EXIT_COULD_NOT_RETRIEVE_KEY = 128  # no key given, or not one the file was encrypted for
EXIT_MAC_MISMATCH = 51  # values decrypt but their MAC differs (or the MAC does not decrypt)
EXIT_DECRYPTING_TREE = 25  # a value's own AES-GCM tag fails

# The exact text, from cmd/sops/common/common.go (DecryptTree), e.g.
#   MAC mismatch. File has C0F40AD2...318A, computed E633AC1A...2CF6
# both MACs being 128 upper-case hex digits (SHA-512).
MAC_MISMATCH = re.compile(
    r"^MAC mismatch\. File has [0-9A-F]{128}, computed [0-9A-F]{128}$", re.MULTILINE
)


def need(tool: str) -> str:
    """The path of `tool`; skipped (a failure under CHAOS_TEST_STRICT=1, tests/conftest.py)
    when it is missing."""
    if tool == "sops":
        if not os.access(SOPS, os.X_OK):
            pytest.skip(f"{SOPS} is missing: scripts/install-sops.sh builds it")
        return str(SOPS)
    found = shutil.which(tool)
    if not found:
        pytest.skip(f"{tool} is missing: scripts/install-deps.sh installs it")
    return found


@pytest.fixture
def work(tmp_path) -> Path:
    (tmp_path / "home").mkdir()
    (tmp_path / "secrets.yaml").write_text(PLAIN)
    return tmp_path


def clean_env(work: Path, **extra: str) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(work / "home"),
        "XDG_CONFIG_HOME": str(work / "home" / ".config"),
        "LANG": "C.UTF-8",
        "SOPS_DISABLE_VERSION_CHECK": "1",
    }
    env.update(extra)
    return env


def sops(work: Path, *args: str, env: dict[str, str], pass_fds=()) -> subprocess.CompletedProcess:
    return subprocess.run(
        [need("sops"), *args],
        check=False,
        cwd=work,
        env=env,
        pass_fds=pass_fds,
        capture_output=True,
        text=True,
        timeout=60,
    )


def age_key() -> tuple[str, str]:
    """(private key, recipient) from age-keygen, held in memory only."""
    private = subprocess.run(
        [need("age-keygen")], check=True, capture_output=True, text=True
    ).stdout
    recipient = subprocess.run(
        [need("age-keygen"), "-y"], input=private, check=True, capture_output=True, text=True
    ).stdout.strip()
    assert recipient.startswith("age1"), recipient
    return private, recipient


@contextlib.contextmanager
def key_pipe(key: str):
    """The read end of a pipe already holding `key` (the write end closed): what a parent
    hands its child so the key never exists as a file."""
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, key.encode())  # a few hundred bytes: fits the pipe's buffer
        os.close(write_end)
        write_end = -1
        yield read_end
    finally:
        os.close(read_end)
        if write_end >= 0:
            os.close(write_end)


def decrypt_with_age(work: Path, name: str, key: str) -> subprocess.CompletedProcess:
    with key_pipe(key) as fd:
        env = clean_env(work, SOPS_AGE_KEY_FILE=f"/dev/fd/{fd}")
        return sops(work, "decrypt", name, env=env, pass_fds=[fd])


def encrypt_in_place(work: Path, name: str, env: dict[str, str]) -> None:
    result = sops(work, "encrypt", "--in-place", name, env=env)
    assert result.returncode == 0, result.stderr
    text = (work / name).read_text()
    assert "hunter2" not in text and "ENC[AES256_GCM," in text, text


def test_the_pinned_sops_is_installed():
    result = subprocess.run(
        [need("sops"), "--version", "--disable-version-check"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"sops {SOPS_VERSION}"


def test_age_round_trip_with_the_key_in_an_inherited_pipe(work):
    private, recipient = age_key()
    (work / ".sops.yaml").write_text(
        f"creation_rules:\n  - path_regex: secrets\\.yaml$\n    age: {recipient}\n"
    )
    encrypt_in_place(work, "secrets.yaml", clean_env(work))  # encrypting needs only the recipient
    assert recipient in (work / "secrets.yaml").read_text()

    result = decrypt_with_age(work, "secrets.yaml", private)
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(result.stdout) == yaml.safe_load(PLAIN)

    # The key came from the pipe and nowhere else: without it, and with another key in the
    # pipe, the same command cannot get the data key.
    alone = sops(work, "decrypt", "secrets.yaml", env=clean_env(work))
    assert alone.returncode == EXIT_COULD_NOT_RETRIEVE_KEY, alone.stderr
    assert "failed to load age identities" in alone.stderr
    other = decrypt_with_age(work, "secrets.yaml", age_key()[0])
    assert other.returncode == EXIT_COULD_NOT_RETRIEVE_KEY, other.stderr
    assert "hunter2" not in other.stdout + other.stderr


def test_a_pipe_is_read_by_the_first_age_recipient_tried_a_memfd_by_each(work):
    """sops loads the age identities afresh for every age recipient it tries and reopens
    SOPS_AGE_KEY_FILE each time: a pipe is drained by the first attempt, so a file encrypted
    for two age recipients opens with the pipe's key only when that key's recipient is tried
    first. A memfd reopened through /dev/fd/N starts at offset 0 every time."""
    first_private, first = age_key()
    second_private, second = age_key()
    (work / ".sops.yaml").write_text(
        f"creation_rules:\n  - path_regex: secrets\\.yaml$\n    age: {first},{second}\n"
    )
    encrypt_in_place(work, "secrets.yaml", clean_env(work))

    assert decrypt_with_age(work, "secrets.yaml", first_private).returncode == 0
    drained = decrypt_with_age(work, "secrets.yaml", second_private)
    assert drained.returncode == EXIT_COULD_NOT_RETRIEVE_KEY, drained.stderr

    memfd = os.memfd_create("age-key", os.MFD_CLOEXEC)
    try:
        os.write(memfd, second_private.encode())
        env = clean_env(work, SOPS_AGE_KEY_FILE=f"/dev/fd/{memfd}")
        result = sops(work, "decrypt", "secrets.yaml", env=env, pass_fds=[memfd])
    finally:
        os.close(memfd)
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(result.stdout) == yaml.safe_load(PLAIN)


@contextlib.contextmanager
def gnupg_home():
    """A fresh GNUPGHOME in /dev/shm (mode 0700, as sops requires); its gpg-agent is stopped
    and the directory removed afterwards."""
    need("gpg")
    home = Path(tempfile.mkdtemp(prefix="chaos-gnupg-", dir="/dev/shm"))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GNUPGHOME": str(home)}
    try:
        yield home, env
    finally:
        subprocess.run(["gpgconf", "--kill", "all"], env=env, capture_output=True, check=False)
        shutil.rmtree(home, ignore_errors=True)
    assert not home.exists()


def gpg_key(env: dict[str, str]) -> str:
    """A new passphrase-less key (ed25519, cv25519 encryption subkey); its fingerprint."""
    uid = "chaos secrets test <secrets-test@chaos.invalid>"
    subprocess.run(
        [need("gpg"), "--batch", "--passphrase", "", "--quick-gen-key", uid, "future-default"],
        env=env,
        check=True,
        capture_output=True,
    )
    listing = subprocess.run(
        [need("gpg"), "--batch", "--with-colons", "--list-secret-keys"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    fingerprints = [line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:")]
    assert fingerprints and re.fullmatch(r"[0-9A-F]{40}", fingerprints[0]), listing
    return fingerprints[0]


def test_pgp_round_trip_with_the_key_in_a_throwaway_gnupghome(work):
    with gnupg_home() as (home, gpg_env):
        assert home.stat().st_mode & 0o777 == 0o700
        fingerprint = gpg_key(gpg_env)
        (work / ".sops.yaml").write_text(
            f"creation_rules:\n  - path_regex: secrets\\.yaml$\n    pgp: {fingerprint}\n"
        )
        env = clean_env(work, GNUPGHOME=str(home))
        encrypt_in_place(work, "secrets.yaml", env)
        result = sops(work, "decrypt", "secrets.yaml", env=env)
        assert result.returncode == 0, result.stderr
        assert yaml.safe_load(result.stdout) == yaml.safe_load(PLAIN)

    # The key lived only in that GNUPGHOME: with an empty one the file does not open.
    with gnupg_home() as (empty, _):
        result = sops(work, "decrypt", "secrets.yaml", env=clean_env(work, GNUPGHOME=str(empty)))
    assert result.returncode == EXIT_COULD_NOT_RETRIEVE_KEY, result.stderr
    assert fingerprint in result.stderr


def remove_first_list_item(text: str) -> str:
    """Drops `ports`' first encrypted item: every remaining value still decrypts, the MAC over
    them no longer matches."""
    lines = text.splitlines(keepends=True)
    start = lines.index("ports:\n") + 1
    assert lines[start].lstrip().startswith("- ENC["), lines[start]
    return "".join(lines[:start] + lines[start + 1 :])


def flip_a_ciphertext_byte(text: str) -> str:
    """Changes one character of `password`'s ciphertext: its own AES-GCM tag fails."""
    match = re.search(r"(password: ENC\[AES256_GCM,data:)(.)", text)
    assert match, text
    replacement = "A" if match.group(2) != "A" else "B"
    return text[: match.start(2)] + replacement + text[match.end(2) :]


@pytest.mark.parametrize(
    ("tamper", "status", "message"),
    [
        (remove_first_list_item, EXIT_MAC_MISMATCH, MAC_MISMATCH),
        (
            flip_a_ciphertext_byte,
            EXIT_DECRYPTING_TREE,
            re.compile(
                r"^Error decrypting tree: .*cipher: message authentication failed$", re.MULTILINE
            ),
        ),
    ],
    ids=["value-removed", "ciphertext-changed"],
)
def test_a_tampered_file_does_not_decrypt(work, tamper, status, message):
    private, recipient = age_key()
    (work / ".sops.yaml").write_text(
        f"creation_rules:\n  - path_regex: secrets\\.yaml$\n    age: {recipient}\n"
    )
    encrypt_in_place(work, "secrets.yaml", clean_env(work))
    assert decrypt_with_age(work, "secrets.yaml", private).returncode == 0

    path = work / "secrets.yaml"
    path.write_text(tamper(path.read_text()))
    result = decrypt_with_age(work, "secrets.yaml", private)
    assert result.returncode == status, result.stderr
    assert message.search(result.stderr), result.stderr
    assert result.stdout == "" and "hunter2" not in result.stderr


def test_install_sops_again_is_a_no_op_without_network():
    need("sops")
    before = SOPS.stat()
    # No network namespace of its own would let it reach anything: it must not need to.
    unshare = need("unshare")
    result = subprocess.run(
        [unshare, "--net", "--map-root-user", "bash", str(INSTALL_SOPS)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"sops {SOPS_VERSION} already installed in .tools/bin\n"
    assert result.stderr == ""
    after = SOPS.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)

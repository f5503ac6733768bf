"""Real SSH target hosts on this machine: Debian's OpenSSH sshd, one per network namespace.

Each host is a network namespace joined to the root namespace by a veth pair with a private /30
(10.213.X.Y), its own ed25519 host key, its own sshd_config, an sshd started with
``ip netns exec NS /usr/sbin/sshd -D``, and a client key the test logs in with. Nothing needs
systemd or a system sshd. See README-sshd.md for what is created and how it is removed.

Only the *network* is separate: the namespace shares this machine's filesystem, users and
process table. A file "on the target" is a file of this machine, which is why every host has
its own ``scratch`` directory: tests tell hosts' effects apart by where they write.

Needs root (namespaces, veths, useradd) and the packages scripts/install-deps.sh installs.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import ipaddress
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

SSHD = "/usr/sbin/sshd"  # sshd refuses to run unless started by an absolute path
# Not under /tmp: sshd's StrictModes refuses an AuthorizedKeysFile below a world-writable
# directory, and /run is root's, mode 0755. So StrictModes stays on, as on a real target.
STATE_ROOT = Path("/run/chaos-test-sshd")
PRIVSEP_DIR = Path("/run/sshd")  # sshd's privilege-separation directory, compiled in
NETWORK = ipaddress.ip_network("10.213.0.0/16")  # carved into /30s, one per host
NS_PREFIX = "chaos-test-"
USER_PREFIX = "chaos-ssh-"
# chaos-test-<pid>-<token>: the pid says whose it is, so a later run can remove what a killed
# run left behind (see reap_stale).
_NAME_RE = re.compile(rf"^{NS_PREFIX}(\d+)-([0-9a-f]{{6}})$")
_USER_RE = re.compile(rf"^{USER_PREFIX}(\d+)-([0-9a-f]{{6}})$")

# sshd as a child subreaper (the attribute survives execve): processes its sessions orphan, such
# as a command started with nohup, become its children, so they are found among its
# descendants and reaped by its SIGCHLD handler (waitpid(-1)) instead of being left to PID 1,
# which in a container may never reap them. 36 is PR_SET_CHILD_SUBREAPER.
_SUBREAPER_EXEC = (
    "import ctypes, os, sys\n"
    "if ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) != 0:\n"
    "    sys.exit('prctl(PR_SET_CHILD_SUBREAPER) failed: ' + os.strerror(ctypes.get_errno()))\n"
    "os.execv(sys.argv[1], sys.argv[1:])\n"
)


class SshdError(RuntimeError):
    """A host could not be created or did not become ready; the message says why."""


@dataclass(frozen=True)
class ProcessInfo:
    pid: int
    cmdline: list[str]
    environ: dict[str, str]


def _run(*args: str, check: bool = True, input: str | None = None, timeout: float = 30):
    return subprocess.run(
        list(args),
        check=check,
        capture_output=True,
        text=True,
        input=input,
        timeout=timeout,
        stdin=None if input is not None else subprocess.DEVNULL,
    )


def _run_retrying(*args: str, check: bool = True, input: str | None = None):
    """useradd, chpasswd and userdel fail at once when another one holds /etc/passwd's lock
    (parallel test runs): try again for a few seconds."""
    for _ in range(50):
        result = _run(*args, check=False, input=input)
        if result.returncode == 0 or "lock" not in result.stderr.lower():
            break
        time.sleep(0.1)
    if check and result.returncode != 0:
        raise subprocess.CalledProcessError(result.returncode, args, result.stdout, result.stderr)
    return result


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _ppid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (2nd field) may hold spaces and parentheses: parse after the last ')'.
    return int(stat.rsplit(")", 1)[1].split()[1])


def _all_pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def _descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid in _all_pids():
        parent = _ppid(pid)
        if parent is not None:
            children.setdefault(parent, []).append(pid)
    found: set[int] = set()
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def _netns_inode(ns: str) -> int | None:
    try:
        return os.stat(f"/run/netns/{ns}").st_ino
    except OSError:
        return None


def _pids_in_netns(inode: int | None) -> set[int]:
    """Every process whose network namespace is the one with this nsfs inode."""
    if inode is None:
        return set()
    wanted = f"net:[{inode}]"
    found = set()
    for pid in _all_pids():
        try:
            if os.readlink(f"/proc/{pid}/ns/net") == wanted:
                found.add(pid)
        except OSError:
            continue
    return found


def _pids_of_uid(uid: int) -> set[int]:
    found = set()
    for pid in _all_pids():
        try:
            if os.stat(f"/proc/{pid}").st_uid == uid:
                found.add(pid)
        except OSError:
            continue
    return found


def _kill_all(pids: Iterable[int], grace: float = 2.0) -> None:
    """SIGTERM, then SIGKILL whatever still runs after `grace` seconds; then waits a moment for
    the dead to be reaped by their parents (ours are reaped here)."""
    pids = {p for p in pids if p != os.getpid()}

    def reap_ours() -> None:
        for pid in pids:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)  # only succeeds for our own children

    running = set(pids)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in running:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + grace
        while running and time.monotonic() < deadline:
            reap_ours()
            running = {p for p in running if _alive(p) and not _is_zombie(p)}
            time.sleep(0.01)
        if not running:
            break
    deadline = time.monotonic() + 1
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        reap_ours()
        time.sleep(0.01)


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def _read_process(pid: int) -> ProcessInfo | None:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        environ = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return None  # gone already
    env = {}
    for entry in environ.split(b"\0"):
        if entry:
            key, _, value = entry.decode(errors="replace").partition("=")
            env[key] = value
    # rstrip: a process that rewrites its title (sshd: root@notty) pads it with NULs.
    args = [a.decode(errors="replace") for a in cmdline.rstrip(b"\0").split(b"\0")]
    return ProcessInfo(pid, args, env)


@contextlib.contextmanager
def _machine_lock() -> Iterator[None]:
    """Serialises subnet choice, and reaping, between parallel test runs on this machine."""
    STATE_ROOT.mkdir(mode=0o755, parents=True, exist_ok=True)
    with open(STATE_ROOT / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _networks_in_use() -> list[ipaddress.IPv4Network]:
    """Every IPv4 network this machine's root namespace has an address or a route in."""
    used = []
    for line in _run("ip", "-4", "-o", "addr", "show").stdout.splitlines():
        match = re.search(r"\binet (\S+)", line)
        if match:
            used.append(ipaddress.ip_interface(match.group(1)).network)
    for line in _run("ip", "-4", "route", "show", "table", "all").stdout.splitlines():
        dest = line.split()[0] if line.split() else ""
        if dest.startswith(("local", "broadcast", "unreachable", "prohibit", "blackhole")):
            dest = line.split()[1]
        with contextlib.suppress(ValueError):
            if dest != "default":
                used.append(ipaddress.ip_network(dest, strict=False))
    return used


def _pick_subnet() -> ipaddress.IPv4Network:
    """A random /30 of NETWORK that overlaps nothing in use (call under _machine_lock)."""
    used = _networks_in_use()
    blocks = NETWORK.num_addresses // 4
    rng = secrets.SystemRandom()
    for _ in range(200):
        start = NETWORK.network_address + 4 * rng.randrange(blocks)
        subnet = ipaddress.ip_network(f"{start}/30")
        if not any(subnet.overlaps(u) and u.prefixlen > 0 for u in used):
            return subnet
    raise SshdError(f"no free /30 left in {NETWORK} (see `ip -4 addr`)")


def _write(path: Path, text: str, mode: int = 0o644) -> None:
    path.write_text(text)
    path.chmod(mode)


def _keygen(path: Path, comment: str) -> None:
    for p in (path, path.with_name(path.name + ".pub")):
        p.unlink(missing_ok=True)
    _run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path))


class SshHost:
    """One target: a network namespace, an sshd in it, and what a client needs to log in.

    Attributes for tests: ``name`` (the namespace), ``address``, ``port``, ``user``,
    ``password`` (None unless password login is on), ``key_path`` (the client's private key),
    ``known_hosts`` (a known_hosts file holding this host's key as it was at start),
    ``scratch`` (a directory of this machine that belongs to this host alone, owned by
    ``user``), ``state_dir`` (everything else: config, keys, the log ``log_path``).
    """

    def __init__(
        self,
        *,
        password_login: bool = False,
        reachable: bool = True,
        port: int = 22,
        ready_timeout: float = 15.0,
    ) -> None:
        self.token = secrets.token_hex(3)
        self.name = f"{NS_PREFIX}{os.getpid()}-{self.token}"
        self.veth_root = f"cr-{self.token}"  # interface names: 15 characters at most
        self.veth_inside = f"cn-{self.token}"
        self.port = port
        self.password_login = password_login
        self.reachable = reachable
        self.ready_timeout = ready_timeout
        self.user = "root"
        self.password: str | None = None
        self.state_dir = STATE_ROOT / self.name
        self.scratch = self.state_dir / "scratch"
        self.config_path = self.state_dir / "sshd_config"
        self.host_key_path = self.state_dir / "ssh_host_ed25519_key"
        self.key_path = self.state_dir / "client_ed25519"
        self.authorized_keys = self.state_dir / "authorized_keys"
        self.known_hosts = self.state_dir / "known_hosts"
        self._current_known_hosts = self.state_dir / "known_hosts.current"
        self.log_path = self.state_dir / "sshd.log"
        self.pid_path = self.state_dir / "sshd.pid"
        self.address = ""
        self.root_address = ""
        self.process: subprocess.Popen | None = None
        self._created_user = False
        self._made_dir = False
        self._made_ns = False
        self._ns_inode: int | None = None
        self._closed = False
        _LIVE.add(self)
        try:
            self._create()
        except BaseException:
            self.close()
            raise

    def __repr__(self) -> str:
        return f"SshHost({self.name}, {self.user}@{self.address}:{self.port})"

    # -- creation --------------------------------------------------------------------------

    def _create(self) -> None:
        PRIVSEP_DIR.mkdir(mode=0o755, parents=True, exist_ok=True)
        STATE_ROOT.mkdir(mode=0o755, parents=True, exist_ok=True)
        self.state_dir.mkdir(mode=0o755)
        self._made_dir = True
        self.state_dir.chmod(0o755)  # the test user reads authorized_keys through it
        self.scratch.mkdir()
        self.scratch.chmod(0o755)  # whatever the umask: tests read what the host wrote
        self._create_network()
        if self.password_login:
            self._create_user()
        _keygen(self.key_path, f"chaos-test-client@{self.name}")
        _write(self.authorized_keys, self.key_path.with_suffix(".pub").read_text())
        _keygen(self.host_key_path, f"root@{self.name}")
        self._write_known_hosts(self.known_hosts)
        self._write_known_hosts(self._current_known_hosts)
        self._write_config()
        if self.reachable:
            self.start()

    def _create_network(self) -> None:
        _run("ip", "netns", "add", self.name)
        self._made_ns = True
        self._ns_inode = _netns_inode(self.name)
        with _machine_lock():
            subnet = _pick_subnet()
            root_ip, inside_ip = list(subnet.hosts())
            self.root_address, self.address = str(root_ip), str(inside_ip)
            _run(
                "ip", "link", "add", self.veth_root, "type", "veth",
                "peer", "name", self.veth_inside, "netns", self.name,
            )  # fmt: skip
            _run("ip", "addr", "add", f"{root_ip}/30", "dev", self.veth_root)
        _run("ip", "link", "set", self.veth_root, "up")
        self.run_in_host("ip", "addr", "add", f"{inside_ip}/30", "dev", self.veth_inside)
        self.run_in_host("ip", "link", "set", self.veth_inside, "up")
        self.run_in_host("ip", "link", "set", "lo", "up")

    def _create_user(self) -> None:
        self.user = f"{USER_PREFIX}{os.getpid()}-{self.token}"
        self.password = "pw-" + secrets.token_urlsafe(18)
        _run_retrying(
            "useradd", "--no-create-home", "--home-dir", str(self.scratch),
            "--shell", "/bin/sh", "--user-group", self.user,
        )  # fmt: skip
        self._created_user = True
        _run_retrying("chpasswd", input=f"{self.user}:{self.password}\n")
        shutil.chown(self.scratch, self.user, self.user)

    def _write_config(self) -> None:
        allow = " ".join(sorted({"root", self.user}))
        _write(
            self.config_path,
            f"""\
# chaos test target {self.name}: written by tests/support/sshd.py
Port {self.port}
ListenAddress {self.address}
HostKey {self.host_key_path}
PidFile {self.pid_path}
AuthorizedKeysFile {self.authorized_keys}
# No PAM: Debian's PAM stack for sshd wants pam_loginuid and friends, which containers lack.
UsePAM no
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication {"yes" if self.password_login else "no"}
KbdInteractiveAuthentication no
PermitEmptyPasswords no
AllowUsers {allow}
LogLevel VERBOSE
PrintMotd no
PrintLastLog no
X11Forwarding no
MaxStartups 100:30:200
MaxSessions 50
# pyinfra uploads files over SFTP.
Subsystem sftp /usr/lib/openssh/sftp-server
""",
        )

    def _write_known_hosts(self, path: Path) -> None:
        """As ssh-keyscan writes it (unhashed): `address key-type key`; `[address]:port` if the
        port is not 22."""
        key_type, key = self.host_key_path.with_suffix(".pub").read_text().split()[:2]
        _write(path, f"{self.known_hosts_name} {key_type} {key}\n")

    @property
    def known_hosts_name(self) -> str:
        return self.address if self.port == 22 else f"[{self.address}]:{self.port}"

    # -- the sshd --------------------------------------------------------------------------

    def start(self) -> None:
        """Starts sshd in the namespace and waits until a client logs in with the key."""
        if self.process is not None and self.process.poll() is None:
            return
        test = _run(SSHD, "-t", "-f", str(self.config_path), check=False)
        if test.returncode != 0:
            raise SshdError(f"{self.name}: sshd -t rejects {self.config_path}: {test.stderr}")
        with open(self.log_path, "a") as log:
            # ip netns exec execs Python, which execs sshd: the Popen's pid is the listening
            # sshd's, made a child subreaper first (see _SUBREAPER_EXEC).
            self.process = subprocess.Popen(
                ["ip", "netns", "exec", self.name, sys.executable, "-I", "-S",
                 "-c", _SUBREAPER_EXEC, SSHD, "-D", "-f", str(self.config_path),
                 "-E", str(self.log_path)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"},
                start_new_session=True,
            )  # fmt: skip
        self.reachable = True
        self.wait_ready()

    def stop(self) -> None:
        """Stops the listening sshd and every session it started; the namespace stays, so the
        address refuses connections (for failure tests)."""
        listener = None if self.process is None else self.process.pid
        sessions = self._namespace_pids()
        if listener is not None:
            sessions = (sessions | _descendants(listener)) - {listener}
        # Sessions first, while the listener lives to reap them (it is their subreaper).
        _kill_all(sessions)
        if self.process is not None:
            _kill_all({self.process.pid})
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=2)
        _kill_all(self._namespace_pids())  # a connection accepted meanwhile
        self.process = None
        self.reachable = False

    def restart(self) -> None:
        self.stop()
        self.start()

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def wait_ready(self, timeout: float | None = None) -> None:
        """Until the port accepts connections and `ssh ... true` succeeds with the key and the
        current host key; SshdError with the sshd log's tail otherwise."""
        deadline = time.monotonic() + (timeout or self.ready_timeout)
        last = ""
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                code = None if self.process is None else self.process.returncode
                raise SshdError(f"{self.name}: sshd exited ({code})\n{self.log_tail()}")
            try:
                with socket.create_connection((self.address, self.port), timeout=1):
                    pass
            except OSError as error:
                last = f"connect: {error}"
                time.sleep(0.02)
                continue
            probe = self.ssh("true", known_hosts=self._current_known_hosts, check=False, timeout=10)
            if probe.returncode == 0:
                return
            last = f"ssh exited {probe.returncode}: {probe.stderr.strip()}"
            time.sleep(0.1)
        raise SshdError(
            f"{self.name}: not ready at {self.address}:{self.port} after "
            f"{timeout or self.ready_timeout}s ({last})\nsshd log:\n{self.log_tail()}"
        )

    # -- what tests use --------------------------------------------------------------------

    def ssh_command(
        self,
        *remote: str,
        known_hosts: Path | str | None = None,
        strict: str = "yes",
        batch: bool = True,
        user: str | None = None,
        options: Iterable[str] = (),
    ) -> list[str]:
        """The ssh command line logging in to this host: its key, its known_hosts, strict host
        key checking, and nothing of ~/.ssh (-F /dev/null, no global known_hosts)."""
        cmd = [
            "ssh", "-F", "/dev/null", "-i", str(self.key_path),
            "-o", "IdentitiesOnly=yes",
            "-o", f"UserKnownHostsFile={known_hosts or self.known_hosts}",
            "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", f"StrictHostKeyChecking={strict}",
            "-o", "ConnectTimeout=5",
            "-p", str(self.port),
        ]  # fmt: skip
        if batch:
            cmd += ["-o", "BatchMode=yes"]
        for option in options:
            cmd += ["-o", option]
        return [*cmd, f"{user or self.user}@{self.address}", *remote]

    def ssh(
        self, *remote: str, check: bool = True, timeout: float = 30, **kwargs
    ) -> subprocess.CompletedProcess:
        """Runs a command on the host over ssh (see ssh_command for the keyword arguments)."""
        result = subprocess.run(
            self.ssh_command(*remote, **kwargs),
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        if check and result.returncode != 0:
            raise SshdError(
                f"ssh {self.user}@{self.address} {' '.join(remote)} exited {result.returncode}:"
                f"\n{result.stderr}\nsshd log:\n{self.log_tail()}"
            )
        return result

    def run_in_host(self, *cmd: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
        """Runs a command as root in the host's network namespace, without ssh. The filesystem,
        users and processes are this machine's: only the network is the host's own."""
        kwargs.setdefault("capture_output", True)
        kwargs.setdefault("text", True)
        kwargs.setdefault("timeout", 30)
        return subprocess.run(["ip", "netns", "exec", self.name, *cmd], check=check, **kwargs)

    def fingerprint(self) -> str:
        """The host key's SHA256 fingerprint, as ssh prints it (SHA256:...)."""
        pub = self.host_key_path.with_suffix(".pub")
        return _run("ssh-keygen", "-l", "-E", "sha256", "-f", str(pub)).stdout.split()[1]

    def known_hosts_line(self) -> str:
        """The current host key's known_hosts line (after replace_host_key, the new key's)."""
        return self._current_known_hosts.read_text()

    def replace_host_key(self) -> str:
        """A new host key, sshd restarted with it; ``known_hosts`` keeps the old key, so ssh
        with it reports a changed host key. Returns the new fingerprint."""
        _keygen(self.host_key_path, f"root@{self.name}")
        self._write_known_hosts(self._current_known_hosts)
        if self.reachable:
            self.restart()
        return self.fingerprint()

    def refresh_known_hosts(self) -> None:
        """Writes the current host key into ``known_hosts`` (after replace_host_key)."""
        self._write_known_hosts(self.known_hosts)

    def _namespace_pids(self) -> set[int]:
        return _pids_in_netns(self._ns_inode)

    def processes(self) -> list[ProcessInfo]:
        """(pid, cmdline, environ) of every process of this host's sessions: the descendants of
        its sshd and anything else running in its network namespace (daemonized leftovers,
        run_in_host commands), except the listening sshd itself."""
        pids = self._namespace_pids()
        if self.process is not None:
            pids |= _descendants(self.process.pid)
            pids.discard(self.process.pid)
        found = (_read_process(pid) for pid in sorted(pids))
        return [info for info in found if info is not None]

    # -- teardown --------------------------------------------------------------------------

    def close(self) -> None:
        """Removes everything the host made; safe to call twice and after a failed start."""
        if self._closed:
            return
        self._closed = True
        errors = []
        steps = [
            ("stop sshd", self.stop),
            ("delete namespace", self._delete_network),
            ("remove user", self._delete_user),
            ("remove files", self._delete_files),
        ]
        for what, step in steps:
            try:
                step()
            except Exception as error:  # noqa: BLE001 - every step runs, whatever failed before
                errors.append(f"{what}: {error}")
        _LIVE.discard(self)
        if errors:
            raise SshdError(f"{self.name}: teardown incomplete: {'; '.join(errors)}")

    def _delete_files(self) -> None:
        if self._made_dir:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def _delete_network(self) -> None:
        if not self._made_ns:
            return
        _run("ip", "netns", "delete", self.name, check=False)
        # The veth goes with the namespace; remove the root end too if something held it.
        if Path(f"/sys/class/net/{self.veth_root}").exists():
            _run("ip", "link", "delete", self.veth_root, check=False)

    def _delete_user(self) -> None:
        if not self._created_user:
            return
        with contextlib.suppress(KeyError):
            _kill_all(_pids_of_uid(pwd.getpwnam(self.user).pw_uid))
        result = _run_retrying("userdel", self.user, check=False)
        if result.returncode not in (0, 6):  # 6: no such user
            raise SshdError(f"userdel {self.user}: {result.stderr.strip()}")


_LIVE: set[SshHost] = set()


def close_all() -> None:
    """Closes every host still open in this process (atexit runs it too)."""
    for host in list(_LIVE):
        with contextlib.suppress(Exception):
            host.close()


atexit.register(close_all)


def reap_stale() -> list[str]:
    """Removes namespaces, users and files that a test process which no longer exists left
    behind (killed by SIGKILL, so its atexit never ran). Returns what it removed. Parallel runs
    reap one at a time (under the machine-wide lock), so each leftover is removed once."""
    removed = []
    with _machine_lock():
        for line in _run("ip", "netns", "list", check=False).stdout.splitlines():
            name = line.split(" ")[0]
            match = _NAME_RE.match(name)
            if match and not _alive(int(match.group(1))):
                _kill_all(_pids_in_netns(_netns_inode(name)))
                if _run("ip", "netns", "delete", name, check=False).returncode == 0:
                    removed.append(name)
                if Path(f"/sys/class/net/cr-{match.group(2)}").exists():
                    _run("ip", "link", "delete", f"cr-{match.group(2)}", check=False)
        with contextlib.suppress(OSError):
            for entry in STATE_ROOT.iterdir():
                match = _NAME_RE.match(entry.name)
                if match and not _alive(int(match.group(1))):
                    shutil.rmtree(entry, ignore_errors=True)
        for account in pwd.getpwall():
            match = _USER_RE.match(account.pw_name)
            if match and not _alive(int(match.group(1))):
                _kill_all(_pids_of_uid(account.pw_uid))
                if _run_retrying("userdel", account.pw_name, check=False).returncode == 0:
                    removed.append(account.pw_name)
    return removed


def _as_set(value: int | Iterable[int] | None) -> set[int]:
    if value is None:
        return set()
    if isinstance(value, int):
        return {value}
    return set(value)


def start_hosts(
    count: int = 1,
    *,
    password_host: int | Iterable[int] | None = None,
    unreachable: int | Iterable[int] | None = None,
    port: int = 22,
) -> list[SshHost]:
    """Starts `count` hosts at once (sshd start-up overlaps). `password_host` and `unreachable`
    are indexes: password login for a throwaway user on those; no sshd on those (connections
    are refused). On any failure every host already made is closed."""
    passwords, down = _as_set(password_host), _as_set(unreachable)
    for index in passwords | down:
        if not 0 <= index < count:
            raise ValueError(f"host index {index} out of range for {count} hosts")
    hosts: list[tuple[int, SshHost]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def make(index: int) -> None:
        try:
            host = SshHost(
                password_login=index in passwords, reachable=index not in down, port=port
            )
        except BaseException as error:  # noqa: BLE001 - re-raised by the caller thread
            with lock:
                errors.append(error)
            return
        with lock:
            hosts.append((index, host))

    threads = [threading.Thread(target=make, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ordered = [host for _, host in sorted(hosts, key=lambda pair: pair[0])]
    if errors:
        for host in ordered:
            with contextlib.suppress(Exception):
                host.close()
        raise errors[0]
    return ordered


@contextlib.contextmanager
def ssh_hosts(count: int = 1, **kwargs) -> Iterator[list[SshHost]]:
    """`with ssh_hosts(3, password_host=1) as hosts:` ... all closed on leaving, however."""
    hosts = start_hosts(count, **kwargs)
    try:
        yield hosts
    finally:
        errors = []
        for host in hosts:
            try:
                host.close()
            except SshdError as error:
                errors.append(str(error))
        if errors:
            raise SshdError("; ".join(errors))


def processes_of(host: SshHost) -> list[ProcessInfo]:
    """(pid, cmdline, environ) of the processes of `host`'s sessions: see SshHost.processes."""
    return host.processes()


def requirements_problem() -> str | None:
    """Why this machine cannot run the hosts, or None."""
    if os.geteuid() != 0:
        return "the sshd hosts need root (network namespaces, veth pairs, useradd)"
    for tool in ("ip", "ssh", "ssh-keygen", "useradd", "userdel", "chpasswd"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (scripts/install-deps.sh installs it)"
    if not os.access(SSHD, os.X_OK):
        return f"{SSHD} is missing: openssh-server (scripts/install-deps.sh installs it)"
    probe = f"{NS_PREFIX}probe-{os.getpid()}"
    added = _run("ip", "netns", "add", probe, check=False)
    if added.returncode != 0:
        return f"`ip netns add` fails here: {added.stderr.strip()}"
    _run("ip", "netns", "delete", probe, check=False)
    return None


__all__ = [
    "ProcessInfo",
    "SshHost",
    "SshdError",
    "close_all",
    "processes_of",
    "reap_stale",
    "requirements_problem",
    "ssh_hosts",
    "start_hosts",
]

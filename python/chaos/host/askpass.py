"""Handing the sudo password to sudo without putting it in a command line, the environment or
a file.

pyinfra runs ``env SUDO_ASKPASS=<script> PYINFRA_SUDO_PASSWORD=<password> sudo -A ...``: the
password is in the argument list of ``env`` (which every local user can read with ``ps``) and
then in sudo's environment. For commands on this machine the role host instead points
SUDO_ASKPASS at a script of its own that reads the password from a named pipe. The host writes
the password into the pipe each time sudo's helper opens it, so it only ever travels through
kernel memory. The pipe and the script live in a directory only this user can enter (like an
ssh-agent socket: whoever can open it could read this process's memory anyway), which is
removed when the session ends.
"""

from __future__ import annotations

import array
import fcntl
import os
import shlex
import shutil
import tempfile
import termios

from chaos.host import native

# What pyinfra puts in PYINFRA_SUDO_PASSWORD instead of the password: visible, so not secret.
PLACEHOLDER = "chaos-askpass"


def _bytes_waiting(fd: int) -> int:
    count = array.array("i", [0])
    fcntl.ioctl(fd, termios.FIONREAD, count)
    return count[0]


class PipeAskpass:
    """Serves one password through a named pipe to an askpass script, until closed."""

    def __init__(self, password: str) -> None:
        self._secret = password.encode() + b"\n"
        self._closing = False  # set by close(); read by the server thread
        self.directory = tempfile.mkdtemp(prefix="chaos-askpass-")  # mode 0700
        self.pipe = os.path.join(self.directory, "password")
        os.mkfifo(self.pipe, 0o600)
        self.script = os.path.join(self.directory, "askpass")
        fd = os.open(self.script, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o700)
        with os.fdopen(fd, "w") as script:
            # One line: the server may put a second copy in before this reader is done.
            script.write(f"#!/bin/sh\nexec head -n 1 {shlex.quote(self.pipe)}\n")
        # A real thread, not a greenlet (chaos.host.native): opening a pipe for writing blocks
        # until sudo's helper opens it for reading, and the main thread is busy running pyinfra.
        # The lock is held while it serves: close() waits on it as on a join.
        self._running = native.allocate_lock()
        self._running.acquire()
        native.start_thread(self._serve_then_release)

    def _serve_then_release(self) -> None:
        try:
            self._serve()
        finally:
            self._running.release()

    def _serve(self) -> None:
        while not self._closing:
            try:
                fd = os.open(self.pipe, os.O_WRONLY)  # waits for a reader
            except OSError:
                return  # the directory is gone
            try:
                self._session(fd)
            finally:
                os.close(fd)

    def _session(self, fd: int) -> None:
        """Keeps exactly one line in the pipe while readers have it open, then returns.

        One line at a time, so that every read gets whole lines; reopening only once every
        reader is gone, so that copies do not pile up in the pipe for a slow reader (a later
        read of part of a pile would cut a line in two).
        """
        watch = native.poll()
        watch.register(fd, 0)  # no events asked: POLLERR alone, which means no reader left
        while not self._closing:
            if _bytes_waiting(fd) == 0:
                try:
                    os.write(fd, self._secret)
                except BrokenPipeError:
                    return  # the reader left without reading: the next one gets a new session
            if watch.poll(20):
                return

    def close(self) -> None:
        """Stops serving and removes the pipe and the script."""
        if self._closing:
            return
        self._closing = True
        # Wake the server if it waits in open(): a reader that reads nothing.
        try:
            fd = os.open(self.pipe, os.O_RDONLY | os.O_NONBLOCK)
        except OSError:
            fd = -1
        if self._running.acquire(timeout=2.0):
            self._running.release()
        if fd >= 0:
            os.close(fd)
        shutil.rmtree(self.directory, ignore_errors=True)
        self._secret = b""

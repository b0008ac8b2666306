"""A tiny process supervisor shared by `make run`, `make serve` and the benchmarks.

Starts children in their own sessions (so a Ctrl-C reaches only this supervisor, which then stops
them in order), asks the kernel to kill them if the supervisor itself dies, stops everything when
one child exits, and escalates SIGTERM to SIGKILL after a timeout (daphne may ignore SIGTERM
after heavy keep-alive load)."""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def bin_path(name: str) -> str:
    candidate = VENV_BIN / name
    return str(candidate) if candidate.exists() else name


def manage(*args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env, check=check
    )


def wait_for_port(
    host: str, port: int, timeout: float = 60.0, procs: Supervisor | None = None
) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if procs is not None and procs.dead():
            return False
        try:
            with socket.create_connection((host, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False


class Supervisor:
    def __init__(self, env: dict, stop_timeout: float = 10.0) -> None:
        self.env = env
        self.stop_timeout = stop_timeout
        self.children: list[tuple[str, subprocess.Popen]] = []
        self._stopping = False

    def start(self, name: str, argv: list[str], env: dict | None = None) -> subprocess.Popen:
        proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env={**self.env, **(env or {})},
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        self.children.append((name, proc))
        print(f"[supervisor] started {name} (pid {proc.pid})", flush=True)
        return proc

    def dead(self) -> str | None:
        for name, proc in self.children:
            if proc.poll() is not None:
                return name
        return None

    def stop(self) -> None:
        if self._stopping:
            return
        self._stopping = True
        for _name, proc in reversed(self.children):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + self.stop_timeout
        for name, proc in self.children:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"[supervisor] {name} did not stop in time; killing it", flush=True)
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
        print("[supervisor] all processes stopped", flush=True)

    def run_forever(self) -> int:
        """Block until a signal or a child's exit; then stop every child."""
        exit_code = 0

        def on_signal(signum, frame):  # noqa: ARG001
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        try:
            while True:
                name = self.dead()
                if name:
                    print(f"[supervisor] {name} exited; stopping the rest", flush=True)
                    exit_code = 1
                    break
                time.sleep(0.5)
        except KeyboardInterrupt:
            print("\n[supervisor] stopping…", flush=True)
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            self.stop()
        return exit_code

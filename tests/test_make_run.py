"""`make run` from a clean clone: it comes up, takes a signed ticket, serves it back, stops cleanly.

Clones the committed HEAD of this repository into a temporary folder (nothing else copied),
symlinks the existing .venv so nothing is reinstalled, and runs `make run` with no DATABASE_URL
or REDIS_URL: the embedded default (SQLite, filesystem broker, in-memory channels).
Set SMOKE_FROM_WORKTREE=1 to copy the uncommitted working tree instead (while developing)."""

import hashlib
import hmac
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from websockets.sync.client import connect

ROOT = Path(__file__).resolve().parent.parent
SECRET = "smoke-test-secret"
START_TIMEOUT = 600  # migrate + the demo seed on a shared 2-core machine

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def checkout(target: Path) -> Path:
    repo = target / "repo"
    if os.environ.get("SMOKE_FROM_WORKTREE"):
        subprocess.run(
            [
                "rsync",
                "-a",
                "--exclude",
                ".venv",
                "--exclude",
                "var/*",
                "--exclude",
                "__pycache__",
                "--exclude",
                "staticfiles",
                f"{ROOT}/",
                f"{repo}/",
            ],
            check=True,
        )
    else:
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(repo)], check=True)
    (repo / ".venv").symlink_to(ROOT / ".venv")
    return repo


def request(url: str, *, data: bytes | None = None, headers: dict | None = None):
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_until_up(log: Path, proc: subprocess.Popen, base: str) -> str:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        if proc.poll() is not None:
            pytest.fail(f"make run exited with {proc.returncode}:\n{text[-4000:]}")
        if "is up at" in text:
            status, _ = request(f"{base}/healthz")
            if status == 200:
                return text
        time.sleep(1)
    pytest.fail(f"make run did not come up in {START_TIMEOUT}s:\n{log.read_text()[-4000:]}")


def last_traceback(log: Path) -> str:
    """The server's last traceback, so a failure here says what broke inside it."""
    text = log.read_text(errors="replace")
    start = text.rfind("Traceback (most recent call last)")
    return text[start : start + 6000] if start >= 0 else text[-3000:]


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purposes.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


def test_make_run_serves_a_signed_ticket_from_a_clean_clone(tmp_path):
    repo = checkout(tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "MAKEFLAGS"}
    }
    env.update(PORT=str(port), HELPDESK_WEBHOOK_SECRET=SECRET)
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        # -o: treat the install stamp as up to date, so the symlinked .venv is reused as is.
        proc = subprocess.Popen(
            ["make", "-o", ".venv/.installed", "run"],
            cwd=repo,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        output = wait_until_up(log, proc, base)
        assert not (repo / "var" / "helpdesk.sqlite3").is_symlink()
        assert (repo / "var" / "helpdesk.sqlite3").exists()
        tokens = dict(
            re.findall(
                r"^\s+(admin|manager|agent|customer)\s+\S+\s+\S+\s+([0-9a-f]{40})$",
                output,
                re.MULTILINE,
            )
        )
        assert {"admin", "manager", "agent", "customer"} <= set(tokens), output[-3000:]

        body = json.dumps(
            {
                "external_id": "smoke-email-1",
                "channel": "email",
                "customer_email": "Smoke.Tester@Example.com",
                "subject": "Cannot access my dashboard",
                "body": "I get a 403 error since yesterday.",
                "context": {"platform": "ios", "app_version": "2.9.1", "locale": "de_DE"},
            }
        ).encode()
        signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "X-Helpdesk-Signature": signature}
        # A workspace open before the ticket comes in sees it arrive, routed, live.
        ws_base = f"ws://127.0.0.1:{port}"
        with connect(
            f"{ws_base}/ws/workspace/?token={tokens['manager']}",
            additional_headers={"Origin": base},
            open_timeout=30,
        ) as workspace:
            assert json.loads(workspace.recv(timeout=30)) == {"type": "workspace.ready"}
            status, raw = request(f"{base}/api/webhooks/support/ingest", data=body, headers=headers)
            if status != 201:
                pytest.fail(f"webhook answered {status}: {raw[:300]!r}\n{last_traceback(log)}")
            created = json.loads(raw)
            seen = []
            deadline = time.monotonic() + 60  # the worker takes the ticket in
            while not any(e["type"] == "ticket.routed" for e in seen):
                event = json.loads(workspace.recv(timeout=max(0.1, deadline - time.monotonic())))
                if event["ticket_id"] == created["ticket_id"]:
                    seen.append(event)
        routed = next(e for e in seen if e["type"] == "ticket.routed")
        assert routed["queue"], seen
        status, raw = request(f"{base}/api/webhooks/support/ingest", data=body, headers=headers)
        assert status == 200 and json.loads(raw)["ticket_id"] == created["ticket_id"]

        auth = {"Authorization": f"Token {tokens['manager']}"}
        status, raw = request(f"{base}/api/v1/tickets/{created['ticket_id']}/", headers=auth)
        if status != 200:
            pytest.fail(f"ticket read answered {status}: {raw[:300]!r}\n{last_traceback(log)}")
        ticket = json.loads(raw)
        assert ticket["subject"] == "Cannot access my dashboard"
        assert ticket["channel"] == "email"
        status, _ = request(f"{base}/api/v1/tickets/{created['ticket_id']}/")
        assert status == 401

        # WebSockets on the same port: the ticket's live channel opens with its snapshot.
        ws_url = (
            f"ws://127.0.0.1:{port}/ws/tickets/{created['ticket_id']}/?token={tokens['manager']}"
        )
        with connect(ws_url, additional_headers={"Origin": base}, open_timeout=30) as ws:
            first = json.loads(ws.recv(timeout=30))
        assert first["type"] == "ticket.snapshot"
        assert first["ticket_id"] == created["ticket_id"]

        # The admin and its static files are served by the same process.
        assert request(f"{base}/admin/login/")[0] == 200
        assert request(f"{base}/static/admin/css/base.css")[0] == 200
    finally:
        children = [int(p) for p in re.findall(r"started \w+ \(pid (\d+)\)", log.read_text())]
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            for pid in children:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            pytest.fail("make run did not stop within 60 s of Ctrl-C")
    assert children, log.read_text()[-3000:]
    time.sleep(1)
    assert not [pid for pid in children if pid_alive(pid)], "children outlived make run"
    assert "all processes stopped" in log.read_text()

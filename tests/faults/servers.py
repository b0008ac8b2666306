"""A private Redis and a private PostgreSQL cluster for fault tests, started and stopped by the
test (never the shared servers on 5432/6379), and the project's own web process against them."""

import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import redis

from journey.tests.webhook_helpers import URL, payload, sign_timed
from tests.processes import ROOT, free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")
WEBHOOK_SECRET = "faults-webhook-secret"


class PrivateRedis:
    """redis-server on a free port with no persistence: a restart loses every key, as a Redis
    without a volume does."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="faults-redis-")
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> "PrivateRedis":
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--dir", self.dir],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
                return self
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise RuntimeError("private redis did not start") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()  # as a crash or a lost host: no goodbye to the clients
            self.process.wait(timeout=10)
            self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateCluster:
    """A throwaway PostgreSQL 15 cluster (initdb + pg_ctl) in a temp dir on a free port, run by
    the `postgres` user when the test runs as root (PostgreSQL refuses root)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="faults-pg-"))
        self.data = self.dir / "data"
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)

    def _run(self, *args: str) -> None:
        command = [str(PG_BIN / args[0]), *args[1:]]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def url(self, name: str = "helpdesk") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def init(self) -> "PrivateCluster":
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "helpdesk")
        return self

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.dir / "log")
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "-t", "60", "start"
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def close(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


def web_env(*, database_url: str, redis_url: str, **extra: str) -> dict:
    """Production settings (as `make serve` runs them) on the given database and Redis."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings.production",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "faults-" + "k" * 50,
        "HELPDESK_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_COOKIES": "false",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def manage(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


def start_gunicorn(env: dict, log: Path, workers: int = 2) -> tuple[subprocess.Popen, str]:
    """gunicorn as scripts/serve.py runs it (sync workers, helpdesk.wsgi); returns the process
    and its base URL once `/healthz` answers."""
    port = free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    process = subprocess.Popen(
        [gunicorn, "helpdesk.wsgi:application", "--workers", str(workers)]
        + ["--worker-class", "sync", "--bind", f"127.0.0.1:{port}", "--timeout", "30"]
        + ["--no-control-socket", "--access-logfile", "-"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=1)
            return process, url
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"gunicorn did not start; see {log}") from None
            time.sleep(0.2)


def webhook(base: str, external_id: str) -> tuple[int, str]:
    """Post a signed ticket to the ingestion webhook: (status, its Retry-After or "")."""
    raw = json.dumps(payload(external_id=external_id, subject=f"Fault {external_id}")).encode()
    stamp = int(time.time())
    request = urllib.request.Request(
        base + URL,
        data=raw,
        headers={
            "Content-Type": "application/json",
            "X-Helpdesk-Timestamp": str(stamp),
            "X-Helpdesk-Signature": sign_timed(raw, stamp, WEBHOOK_SECRET),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get("Retry-After", "")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Retry-After", "")

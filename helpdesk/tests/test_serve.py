"""`make serve` refuses to start without its required settings, naming the missing one."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = {
    "SECRET_KEY": "x",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/none",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "ALLOWED_HOSTS": "help.example.com",
    "HELPDESK_WEBHOOK_SECRET": "s",
}


@pytest.mark.parametrize("missing", sorted(REQUIRED))
def test_missing_required_setting_stops_start_up_with_one_line(missing):
    env = {
        k: v for k, v in os.environ.items() if k not in REQUIRED and k != "DJANGO_SETTINGS_MODULE"
    }
    env.update({k: v for k, v in REQUIRED.items() if k != missing})
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "serve.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [f"Missing required setting {missing}: set it in the environment."]
    assert "started" not in result.stdout


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ["--access-logfile", "-"]),
        ("/var/log/hd.log", ["--access-logfile", "/var/log/hd.log"]),
    ],
)
def test_the_web_process_logs_requests_where_web_access_log_says(monkeypatch, value, expected):
    serve = _serve_module(monkeypatch)
    if value is None:
        monkeypatch.delenv("WEB_ACCESS_LOG", raising=False)
    else:
        monkeypatch.setenv("WEB_ACCESS_LOG", value)
    web, _ = serve.commands("127.0.0.1", 8000, 8001)["web"]
    at = web.index("--access-logfile")
    assert web[at : at + 2] == expected


def test_web_access_log_off_starts_gunicorn_without_an_access_log(monkeypatch):
    serve = _serve_module(monkeypatch)
    monkeypatch.setenv("WEB_ACCESS_LOG", "off")
    web, _ = serve.commands("127.0.0.1", 8000, 8001)["web"]
    assert "--access-logfile" not in web and "off" not in web


def _serve_module(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "scripts"))
    import serve

    return serve

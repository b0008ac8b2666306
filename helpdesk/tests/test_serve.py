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


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SECRET_KEY", "dev-insecure-secret-key-change-me"),
        ("HELPDESK_WEBHOOK_SECRET", "dev-webhook-secret"),
        ("HELPDESK_WEBHOOK_SECRET", "test-webhook-secret"),
        ("HELPDESK_NOTIFICATION_WEBHOOK_SECRET", "dev-webhook-secret"),
    ],
)
def test_production_refuses_the_published_development_secrets(name, value):
    """Issue #17: production accepted the development SECRET_KEY and webhook secret."""
    env = {
        k: v for k, v in os.environ.items() if k not in REQUIRED and k != "DJANGO_SETTINGS_MODULE"
    }
    env.update(REQUIRED, **{name: value})
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
    assert len(lines) == 1 and lines[0].startswith(f"{name} is a development value published")


def test_make_run_keeps_random_secrets_under_var(tmp_path):
    """`make run`'s settings make a random SECRET_KEY and webhook secret once (0600 files under
    var/) and read the same ones on every later start."""
    from helpdesk.settings.base import KNOWN_SECRETS
    from helpdesk.settings.local import kept_secret

    path = tmp_path / "var" / "secret_key"
    first = kept_secret(path)
    assert first not in KNOWN_SECRETS and len(first) >= 50
    assert path.stat().st_mode & 0o777 == 0o600
    assert kept_secret(path) == first
    assert kept_secret(tmp_path / "var" / "other") != first

    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in ("SECRET_KEY", "HELPDESK_WEBHOOK_SECRET", "HELPDESK_NOTIFICATION_WEBHOOK_SECRET")
    }
    env["DJANGO_SETTINGS_MODULE"] = "helpdesk.settings.local"
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.SECRET_KEY); print(settings.HELPDESK_WEBHOOK_SECRET)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    secret_key, webhook_secret = result.stdout.split()
    assert not {secret_key, webhook_secret} & KNOWN_SECRETS
    assert secret_key == (ROOT / "var" / "secret_key").read_text().strip()
    assert webhook_secret == (ROOT / "var" / "webhook_secret").read_text().strip()

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

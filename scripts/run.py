"""`make run`: the whole help desk on one machine, from nothing.

SQLite under var/ unless DATABASE_URL is set; in-memory channels and a filesystem job broker
unless REDIS_URL is set. Migrates, loads the demo once, then serves HTTP + WebSocket (daphne)
and runs a Celery worker with the schedule embedded (beat), until Ctrl-C or SIGTERM."""

import os
import sys

from procs import ROOT, Supervisor, bin_path, manage, wait_for_port

HOST = "127.0.0.1"


def webhook_secret(var) -> str:
    """HELPDESK_WEBHOOK_SECRET as the server uses it: from the environment, else the random one
    the settings made under var/ on first start (settings/local.py)."""
    secret_file = var / "webhook_secret"
    kept = secret_file.read_text().strip() if secret_file.exists() else "(see var/webhook_secret)"
    return os.environ.get("HELPDESK_WEBHOOK_SECRET") or kept


def main() -> int:
    port = int(os.environ.get("PORT") or 8000)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings.local",
        "PYTHONUNBUFFERED": "1",
        # links in mail and AI answers (status pages, ratings) point at this server
        "HELPDESK_PUBLIC_URL": os.environ.get("HELPDESK_PUBLIC_URL") or f"http://{HOST}:{port}",
    }
    os.environ.update(env)
    var = ROOT / "var"
    for folder in ("broker", "broker-processed", "models"):
        (var / folder).mkdir(parents=True, exist_ok=True)

    print("[run] migrating the database…", flush=True)
    manage("migrate", "--noinput", "-v", "0", env=env)
    print("[run] loading the demo data (once; later starts only print the logins)…", flush=True)
    # Jobs the seeding triggers run inline, on the seeding's clock, and send no mail.
    quiet = {
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "LOG_LEVEL": "WARNING",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",  # no mail for old history
    }
    seeded = manage("seed_demo", env={**env, **quiet}, check=False)
    if seeded.returncode != 0:
        print(
            "[run] WARNING: the demo data could not be loaded (see above); serving anyway. "
            "Retry with `.venv/bin/python manage.py seed_demo`.",
            flush=True,
        )

    procs = Supervisor(env)
    procs.start(
        "web", [bin_path("daphne"), "-b", HOST, "-p", str(port), "helpdesk.asgi:application"]
    )
    procs.start(
        "worker",
        [
            bin_path("celery"),
            "-A",
            "helpdesk",
            "worker",
            "-B",
            "--pool=solo",
            "--loglevel=INFO",
            "-s",
            str(var / "celerybeat-schedule"),
            "--without-gossip",
            "--without-mingle",
        ],
        # Without Redis the worker's live events are forwarded to the server's in-memory layer.
        env=(
            {}
            if os.environ.get("REDIS_URL")
            else {"HELPDESK_REALTIME_FORWARD_URL": f"http://{HOST}:{port}/internal/realtime"}
        ),
    )
    if not wait_for_port(HOST, port, timeout=60, procs=procs):
        print("[run] the web server did not come up", file=sys.stderr, flush=True)
        procs.stop()
        return 1
    address = f"http://{HOST}:{port}"
    print(
        f"\n[run] The help desk is up at {address}/  (admin: {address}/admin/, "
        f"API docs: {address}/api/docs/, agent workspace: {address}/workspace/)\n"
        f"[run] Webhook secret (sign posts to {address}/api/webhooks/…): {webhook_secret(var)}\n"
        "[run] Log in with the demo logins printed above. Ctrl-C stops everything.\n",
        flush=True,
    )
    return procs.run_forever()


if __name__ == "__main__":
    sys.exit(main())

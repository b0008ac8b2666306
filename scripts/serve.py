"""`make serve`: production mode on PostgreSQL and Redis.

Runs the processes a deployment runs, each of which can also run alone on its own host
(`--only web`, `--only ws`, `--only worker`, `--only beat`):
  web     gunicorn (sync workers, helpdesk.wsgi) for HTTP on PORT (persistent DB connections)
  ws      daphne (helpdesk.asgi) for WebSockets on WS_PORT (CONN_MAX_AGE=0: no leaked connections)
  worker  a Celery worker
  beat    Celery beat with django-celery-beat's DatabaseScheduler (run exactly one per deployment)
Migrations and collectstatic run first (skip with --no-migrate on hosts that should not)."""

import argparse
import os
import sys

from procs import Supervisor, bin_path, manage, wait_for_port

ROLES = ("web", "ws", "worker", "beat")


def commands(host: str, port: int, ws_port: int) -> dict[str, tuple[list[str], dict]]:
    workers = os.environ.get("WEB_WORKERS", "2")
    access_log = os.environ.get("WEB_ACCESS_LOG", "-")
    # "off": no access log at all (the proxy in front logs requests); gunicorn formats every
    # line even for /dev/null, about a tenth of its CPU on a small request
    access = [] if access_log == "off" else ["--access-logfile", access_log]
    return {
        "web": (
            [
                bin_path("gunicorn"),
                "helpdesk.wsgi:application",
                "--workers",
                workers,
                "--worker-class",
                "sync",
                "--bind",
                f"{host}:{port}",
                *access,
                "--timeout",
                os.environ.get("WEB_TIMEOUT", "30"),
                "--keep-alive",
                os.environ.get("WEB_KEEPALIVE", "5"),
                "--no-control-socket",
            ],
            {},
        ),
        "ws": (
            [bin_path("daphne"), "-b", host, "-p", str(ws_port), "helpdesk.asgi:application"],
            {"CONN_MAX_AGE": "0"},
        ),
        "worker": (
            [
                bin_path("celery"),
                "-A",
                "helpdesk",
                "worker",
                "--loglevel=INFO",
                "--concurrency",
                os.environ.get("CELERY_CONCURRENCY", "2"),
            ],
            {"CONN_MAX_AGE": "0"},
        ),
        "beat": (
            [
                bin_path("celery"),
                "-A",
                "helpdesk",
                "beat",
                "--loglevel=INFO",
                "--scheduler",
                "django_celery_beat.schedulers:DatabaseScheduler",
            ],
            {"CONN_MAX_AGE": "0"},
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=ROLES, help="Run just these roles.")
    parser.add_argument("--no-migrate", action="store_true", help="Skip migrate + collectstatic.")
    args = parser.parse_args()
    roles = args.only or list(ROLES)

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings.production",
        "PYTHONUNBUFFERED": "1",
    }
    host = env.get("HOST", "127.0.0.1")
    port, ws_port = int(env.get("PORT") or 8000), int(env.get("WS_PORT") or 8001)
    # Fails fast with the one-line message of helpdesk.settings.production if a setting is missing.
    if manage("check", env=env, check=False).returncode:
        return 1
    if not args.no_migrate:
        manage("migrate", "--noinput", env=env)
        manage("collectstatic", "--noinput", "-v", "0", env=env)

    procs = Supervisor(env, stop_timeout=15)
    for role in roles:
        argv, extra = commands(host, port, ws_port)[role]
        procs.start(role, argv, env=extra)
    for role, role_port in (("web", port), ("ws", ws_port)):
        if role in roles and not wait_for_port(host, role_port, timeout=60, procs=procs):
            print(f"[serve] {role} did not come up on {host}:{role_port}", file=sys.stderr)
            procs.stop()
            return 1
    print(
        f"[serve] running {', '.join(roles)}: HTTP on {host}:{port}, WebSockets on "
        f"{host}:{ws_port} (put both behind one address: docs/DEPLOY.md)",
        flush=True,
    )
    return procs.run_forever()


if __name__ == "__main__":
    sys.exit(main())

"""What the bench scripts share: their own PostgreSQL database, created when missing, and Django
set up on it without debug bookkeeping (so query logging does not skew the timings)."""

import os
import sys


def ensure_database(url: str, *, bench_only: bool = False) -> None:
    """Creates the database `url` names unless it exists. `bench_only`: refuse a database whose
    name does not say "bench" (for scripts that wipe what they seed)."""
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    if bench_only and "bench" not in name:
        sys.exit(f"Refusing to wipe database {name!r}: its name must contain 'bench'.")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings.test")
    os.environ["DEBUG"] = "false"
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]

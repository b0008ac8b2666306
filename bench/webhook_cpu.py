"""CPU per webhook post inside one process: Django's WSGI handler called directly, no network.

The shared cores' speed swings by up to 2x within minutes (bench/machine.py), so figures of two
code versions taken a few minutes apart cannot be compared. `--ab` runs two configurations in
one process, alternating every 200 posts (ABBA), so the drift falls on both: "before" emulates
the webhook as this session found it (every post asks Redis for its rate limit and rings the
intake doorbell, DRF negotiates the content type and a serializer builds the answer), "after" is
the code as it is. Both post new tickets (the deferred intake: one prepared insert each).

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/hd_bench_ingest \\
    .venv/bin/python bench/webhook_cpu.py [--ab] [--rounds 20]

The database must exist with the schema (`bench/ingest.py` creates `hd_bench_ingest`); the
tickets it stores are left there."""

import argparse
import hashlib
import hmac
import io
import json
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SECRET = "bench-webhook-cpu"
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings.production",
        "DATABASE_URL": os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hd_bench_ingest"
        ),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
        "SECRET_KEY": "bench",
        "ALLOWED_HOSTS": "127.0.0.1",
        "HELPDESK_WEBHOOK_SECRET": SECRET,
        "SECURE_COOKIES": "0",
        "CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
        "HELPDESK_THROTTLE_WEBHOOK": "100000000/min",  # as bench/ingest.py: measured, not hit
    }
)


def environ() -> dict:
    body = json.dumps(
        {
            "external_id": f"cpu-{uuid.uuid4()}",
            "channel": "email",
            "customer_email": "Some.One@Example.com",
            "subject": "Cannot log in to the app",
            "body": "Hello, my login fails with an error since the update. Please help.",
            "context": {"platform": "ios", "app_version": "2.9.1", "locale": "en_US"},
        }
    ).encode()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/webhooks/support/ingest",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8799",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_X_HELPDESK_SIGNATURE": signature,
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ab", action="store_true", help="compare with the session-start webhook")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()

    import warnings

    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    from django.conf import settings
    from rest_framework.negotiation import DefaultContentNegotiation

    import core.api.throttling as throttling
    import journey.webhooks as webhooks
    from helpdesk.wsgi import application

    def post() -> None:
        statuses = []
        result = application(environ(), lambda status, headers, exc=None: statuses.append(status))
        b"".join(result)
        result.close()
        assert statuses[0].startswith("201"), statuses

    now = (
        settings.HELPDESK_INTAKE_RING_MEMO,
        throttling.lease_size,
        webhooks.IngestWebhookApi.content_negotiation_class,
        webhooks.answer,
    )

    def after() -> None:
        (
            settings.HELPDESK_INTAKE_RING_MEMO,
            throttling.lease_size,
            webhooks.IngestWebhookApi.content_negotiation_class,
            webhooks.answer,
        ) = now

    def before() -> None:
        settings.HELPDESK_INTAKE_RING_MEMO = 0.0
        throttling.lease_size = lambda limit: 1
        webhooks.IngestWebhookApi.content_negotiation_class = DefaultContentNegotiation
        webhooks.answer = lambda ticket: webhooks.IngestWebhookApi.OutputSerializer(ticket).data

    variants = {"before": before, "after": after} if args.ab else {"current": after}
    cpu = dict.fromkeys(variants, 0.0)
    posts = dict.fromkeys(variants, 0)
    for _ in range(300):
        post()  # warm up: connections, prepared statement, caches
    names = list(variants)
    for round_ in range(args.rounds):
        for name in names if round_ % 2 == 0 else names[::-1]:
            variants[name]()
            for _ in range(20):
                post()
            start = time.process_time()
            for _ in range(200):
                post()
            cpu[name] += time.process_time() - start
            posts[name] += 200
    for name in names:
        print(f"{name}: {cpu[name] / posts[name] * 1000:.3f} ms of CPU per new ticket")
    if args.ab:
        ratio = (cpu["after"] / posts["after"]) / (cpu["before"] / posts["before"])
        print(f"after / before: {ratio:.2f}")


if __name__ == "__main__":
    main()

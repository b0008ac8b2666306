"""Ingestion benchmark: signed webhook posts against production mode on PostgreSQL.

Starts `scripts/serve.py --only web` (gunicorn, 2 sync workers, CONN_MAX_AGE=60) on a bench
database, drives it with wrk (a Lua script cycling through pre-signed bodies) in three phases:
1. new tickets: every post carries a new external_id: tickets/s, p50/p99 latency (the headline);
2. retry race: every external_id is posted twice, by two connections at nearly the same moment,
   the way a retrying integration does: how many duplicate tickets were created (must be 0);
3. replays: ids that exist are posted again (200, nothing stored): the webhook's own cost. The bench database is dropped and recreated with the demo's queues, rules, SLA
policies and agents each run (`--train` adds the demo history and a trained classifier).
Usage:

    .venv/bin/python bench/ingest.py --quick          # 5 s, while iterating
    .venv/bin/python bench/ingest.py                  # 30 s, the figure for docs/BENCHMARKS.md
    .venv/bin/python bench/ingest.py --ws-clients 100 # new tickets/s without and with 100
                                                      # workspace sockets (bench/ingest_live.py)

Needs PostgreSQL, Redis and `wrk` (apt-get install -y wrk)."""

import argparse
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from machine import speed  # noqa: E402
from procs import Supervisor, manage, wait_for_port  # noqa: E402

SECRET = "bench-webhook-secret"
PATH = "/api/webhooks/support/ingest"
LUA = Path(__file__).with_name("ingest.lua")
SUBJECTS = [
    ("Refund for order {n}", "I cancelled order {n} but was still charged 49.00 EUR."),
    ("App crashes on checkout", "The app closes when I tap Pay, order {n}, iPhone 15."),
    ("Passwort zurücksetzen geht nicht", "Der Link für Konto {n} ist immer abgelaufen."),
    ("Parcel {n} not delivered", "Tracking has not moved for four days."),
    ("API returns 500", "Request {n} to /v2/orders fails about one in ten times."),
]


def bodies_file(folder: Path, run: str, count: int, tag: str = "n") -> Path:
    path = folder / f"bodies-{tag}.tsv"
    with path.open("w") as out:
        for n in range(count):
            subject, body = SUBJECTS[n % len(SUBJECTS)]
            raw = json.dumps(
                {
                    "external_id": f"bench-{run}-{tag}{n}",
                    "channel": "email",
                    "customer_email": f"bench{n % 500}@example.com",
                    "subject": subject.format(n=n),
                    "body": body.format(n=n),
                    "context": {"platform": "ios", "app_version": "3.1.0", "locale": "en_US"},
                },
                separators=(",", ":"),
            )
            signature = hmac.new(SECRET.encode(), raw.encode(), hashlib.sha256).hexdigest()
            out.write(f"sha256={signature}\t{raw}\n")
    return path


def warm_up(port: int, run: str, workers: int = 2) -> None:
    """The first request of each worker loads the routing model and friends (seconds): do it
    before measuring, from several connections so every worker gets one."""

    def post(n: int) -> None:
        raw = json.dumps(
            {
                "external_id": f"benchwarm-{run}-{n}",
                "channel": "email",
                "customer_email": "warm@example.com",
                "subject": "Warm up",
                "body": "Warming up the workers.",
            }
        ).encode()
        signature = hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{PATH}",
            data=raw,
            headers={
                "Content-Type": "application/json",
                "X-Helpdesk-Signature": f"sha256={signature}",
            },
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()

    with ThreadPoolExecutor(max_workers=workers * 2) as pool:
        list(pool.map(post, range(workers * 6)))


def database_prepare(env: dict, *, train: bool) -> None:
    """A fresh bench database with the demo help desk's queues, rules, SLA policies and agents,
    so intake routes, assigns and starts SLA clocks for real. With `train`, also the demo's
    220 tickets of history and a classifier trained on them."""
    name = env["DATABASE_URL"].rsplit("/", 1)[1]
    psql = ["-h", "127.0.0.1", "-U", "postgres"]
    subprocess.run(["dropdb", *psql, "--if-exists", "--force", name], check=True)
    subprocess.run(["createdb", *psql, name], check=True)
    manage("migrate", "--noinput", "-v", "0", env=env)
    quiet = {
        **env,
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }
    args = (
        ["seed_demo", "--tickets", "220"]
        if train
        else ["seed_demo", "--no-train", "--tickets", "0"]
    )
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=quiet,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def shell_answer(env: dict, code: str) -> str:
    """The last line `code` prints in `manage.py shell` against the bench database."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return out.strip().splitlines()[-1]


def db_counts(env: dict, run: str) -> dict:
    code = (
        "import json; from django.db.models import Count; from tickets.models import Ticket; "
        f"qs = Ticket.objects.filter(external_id__startswith='bench-{run}-'); "
        "dup = qs.values('external_id').annotate(n=Count('id')).filter(n__gt=1).count(); "
        "print(json.dumps({'tickets': qs.count(), 'ids': qs.values('external_id').distinct().count(),"
        " 'duplicate_ids': dup}))"
    )
    return json.loads(shell_answer(env, code))


def queries_per_ticket(env: dict, run: str) -> int:
    """How many SQL statements one new ticket costs through the whole intake (warm)."""
    code = (
        "from django.db import connection; from django.test.utils import CaptureQueriesContext; "
        "from journey.services import ticket_submit; "
        f"mk = lambda n: ticket_submit(subject='Refund for order', body='Charged twice.', "
        f"channel='email', customer_email='q@example.com', external_id=f'benchq-{run}-{{n}}'); "
        "mk(0); ctx = CaptureQueriesContext(connection); ctx.__enter__(); mk(1); "
        "ctx.__exit__(None, None, None); print(len(ctx.captured_queries))"
    )
    return int(shell_answer(env, code))


def wait_routed(env: dict, run: str, timeout: float) -> float | None:
    """Seconds until every bench ticket has its `routed` event (the deferred intake drained)."""
    import time

    code = (
        "from tickets.models import Ticket; "
        f"qs = Ticket.objects.filter(external_id__startswith='bench-{run}-'); "
        "print(qs.count() - qs.filter(events__kind='routed').count())"
    )
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if int(shell_answer(env, code)) == 0:
            return round(time.monotonic() - start, 1)
        time.sleep(2)
    return None


NAMES = {
    "gunicorn": "gunicorn",
    "postgres": "postgresql",
    "redis-server": "redis",
    "daphne": "daphne",
    "celery": "celery",
}


def cpu_seconds(database: str = "") -> dict:
    """CPU seconds used so far by each process on the request path ({pid: (name, seconds)},
    from /proc): gunicorn, Redis, and the PostgreSQL backends connected to `database` (other
    people's connections on a shared machine are left out); and this script's finished children
    (wrk, under pid 0)."""
    import resource

    ticks = os.sysconf("SC_CLK_TCK")
    out = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        if name == "postgres" and database:
            try:
                if database.encode() not in (stat.parent / "cmdline").read_bytes():
                    continue
            except OSError:
                continue
        if name in NAMES:
            fields = text[text.rindex(")") + 2 :].split()
            out[int(stat.parent.name)] = (NAMES[name], (int(fields[11]) + int(fields[12])) / ticks)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    out[0] = ("wrk", children.ru_utime + children.ru_stime)
    return out


def cpu_delta(before: dict, after: dict) -> dict:
    """Seconds per name between two snapshots; a process that started in between counts whole,
    one that ended in between (a closed database connection) is not seen."""
    total = dict.fromkeys([*NAMES.values(), "wrk"], 0.0)
    for pid, (name, seconds) in after.items():
        total[name] += seconds - before.get(pid, (name, 0.0))[1]
    return total


def run_wrk(args, bodies: Path, duration: int, limits: str = "", repeat: int = 1) -> dict:
    database = getattr(args, "database", "")
    before = cpu_seconds(database)
    wrk = subprocess.run(
        [
            "wrk",
            f"-t{args.threads}",
            f"-c{args.connections}",
            f"-d{duration}s",
            "--latency",
            "-s",
            str(LUA),
            f"http://127.0.0.1:{args.port}{PATH}",
        ],
        env={
            **os.environ,
            "BENCH_BODIES": str(bodies),
            "BENCH_THREADS": str(args.threads),
            "BENCH_LIMITS": limits,
            "BENCH_REPEAT": str(repeat),
        },
        capture_output=True,
        text=True,
        check=True,
    )
    print(wrk.stdout, wrk.stderr, sep="\n", file=sys.stderr)
    result = json.loads(wrk.stdout.strip().splitlines()[-1].split("RESULT ", 1)[1])
    spent = cpu_delta(before, cpu_seconds(database))
    requests = max(result["requests"], 1)
    # CPU milliseconds per request, by process (2 cores give 2,000 ms of CPU per second)
    result["cpu_ms_per_post"] = {
        name: round(seconds * 1000 / requests, 2) for name, seconds in spent.items()
    }
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description="Webhook ingestion benchmark")
    parser.add_argument("--quick", action="store_true", help="5 s instead of 30 s")
    parser.add_argument("--duration", type=int, default=None)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--train",
        action="store_true",
        help="Also seed 220 demo tickets and train the local classifier before measuring",
    )
    parser.add_argument(
        "--no-worker",
        action="store_true",
        help="Do not run a Celery worker beside gunicorn (the pipeline tasks then wait in Redis)",
    )
    parser.add_argument(
        "--ws-clients",
        type=int,
        default=0,
        metavar="N",
        help="Instead of the usual phases: new tickets/s without and with N workspace WebSocket "
        "clients connected (daphne too; bench/ingest_live.py)",
    )
    parser.add_argument(
        "--read-every",
        type=float,
        default=0.02,
        metavar="SECONDS",
        help="With --ws-clients: the clients read their sockets at most this often (0: at once)",
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", 8799)))
    parser.add_argument(
        "--web-workers", type=int, default=2, help="gunicorn sync workers (WEB_WORKERS)"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        return 2
    duration = args.duration or (5 if args.quick else 30)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings.production",
        "DATABASE_URL": os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hd_bench_ingest"
        ),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
        "HELPDESK_MODEL_DIR": str(ROOT / "var" / "bench-ingest-models"),
        "SECRET_KEY": "bench",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "HELPDESK_WEBHOOK_SECRET": SECRET,
        "SECURE_COOKIES": "0",
        "CONN_MAX_AGE": "60",
        "WEB_WORKERS": str(args.web_workers),
        "PORT": str(args.port),
        "WS_PORT": str(args.port + 1),
        "LOG_LEVEL": "WARNING",
        # The per-client webhook limit would cap a single load generator; it is measured apart.
        "HELPDESK_THROTTLE_WEBHOOK": "100000000/min",
    }
    database_prepare(env, train=args.train)
    speed_before = speed()
    args.database = env["DATABASE_URL"].rsplit("/", 1)[1]  # whose PostgreSQL CPU is counted
    run = uuid.uuid4().hex[:8]
    # Enough distinct ids that none is reused within a phase at up to 2,000 posts/s.
    unique = max(4000, duration * 2000)
    with tempfile.TemporaryDirectory() as tmp:
        bodies = bodies_file(Path(tmp), run, unique, "n")
        retries = bodies_file(Path(tmp), run, unique, "r")
        server = Supervisor({**env, "WEB_ACCESS_LOG": "off"}, stop_timeout=15)
        roles = ["--only", "web"] if args.no_worker else ["--only", "web", "--only", "worker"]
        if args.ws_clients:
            roles += ["--only", "ws"]
        server.start(
            "web", [sys.executable, str(ROOT / "scripts" / "serve.py"), *roles, "--no-migrate"]
        )
        try:
            if not wait_for_port("127.0.0.1", args.port, timeout=60, procs=server):
                print("gunicorn did not come up", file=sys.stderr)
                return 1
            if args.ws_clients:
                return live_events_report(args, env, run, Path(tmp), duration, speed_before)
            warm_up(args.port, run, workers=args.web_workers)
            wrk = run_wrk(args, bodies, duration)
            # Second phase: new ids, each posted twice at once (the idempotency race under load).
            race = run_wrk(args, retries, duration, repeat=2)
            # Third phase: the first phase's bodies again, so every post is a replay (200, no
            # pipeline): the cost of the webhook's own checks and the idempotent lookup.
            replay = run_wrk(args, bodies, min(duration, 10), limits=wrk["sent_ids"])
            drain = None if args.no_worker else wait_routed(env, run, timeout=300)
        finally:
            server.stop()
    result, replayed = wrk, replay
    counts = db_counts(env, run)
    seconds = result["duration_us"] / 1e6
    race_seconds = race["duration_us"] / 1e6
    report = {
        "duration_s": round(seconds, 1),
        "posts": result["requests"],
        "posts_per_s": round(result["requests"] / seconds),
        "tickets_created": result["status"]["201"],
        "tickets_per_s": round(result["status"]["201"] / seconds),
        "p50_ms": round(result["p50_us"] / 1000, 1),
        "p99_ms": round(result["p99_us"] / 1000, 1),
        "status": result["status"],
        "socket_errors": result["errors"],
        "cpu_ms_per_post": result["cpu_ms_per_post"],
        "retry_race": {
            "posts_per_s": round(race["requests"] / race_seconds),
            "tickets_per_s": round(race["status"]["201"] / race_seconds),
            "p50_ms": round(race["p50_us"] / 1000, 1),
            "p99_ms": round(race["p99_us"] / 1000, 1),
            "status": race["status"],
            "socket_errors": race["errors"],
        },
        # Each new ticket must be answered 201 exactly once, all other posts of its id 200.
        "extra_201_answers": result["status"]["201"]
        + race["status"]["201"]
        + replayed["status"]["201"]
        - counts["tickets"],
        "duplicates_created": counts["tickets"] - counts["ids"] + counts["duplicate_ids"],
        "connections": args.connections,
        "web_workers": args.web_workers,
        "sql_queries_per_new_ticket": queries_per_ticket(env, run),
        # With the worker on the same 2 cores: seconds after the load until every ticket was routed
        "routed_all_after_load_s": drain,
        # CPU ms of a fixed Python loop before and after the run (bench/machine.py; lower: faster)
        "machine_speed": [speed_before, speed()],
        "replay_only": {
            "posts_per_s": round(replayed["requests"] / (replayed["duration_us"] / 1e6)),
            "p50_ms": round(replayed["p50_us"] / 1000, 1),
            "p99_ms": round(replayed["p99_us"] / 1000, 1),
            "status": replayed["status"],
            "cpu_ms_per_post": replayed["cpu_ms_per_post"],
        },
    }
    print(json.dumps(report, indent=2))
    print(
        f"\n{report['tickets_per_s']} new tickets/s, p50 {report['p50_ms']} ms, p99 "
        f"{report['p99_ms']} ms; retry race {report['retry_race']['posts_per_s']} posts/s "
        f"({report['retry_race']['tickets_per_s']} tickets/s), p99 "
        f"{report['retry_race']['p99_ms']} ms; duplicates created: {report['duplicates_created']}; "
        f"{' / '.join(report['machine_speed'])}"
    )
    return 0 if report["duplicates_created"] == 0 and report["extra_201_answers"] <= 0 else 1


def live_events_report(args, env, run, folder, duration, speed_before) -> int:
    from ingest_live import live_events_cost

    if not wait_for_port("127.0.0.1", args.port + 1, timeout=60):
        print("daphne did not come up", file=sys.stderr)
        return 1
    report = live_events_cost(args, env, run, folder, duration)
    report["machine_speed"] = [speed_before, speed()]
    print(json.dumps(report, indent=2))
    print(
        f"\n{report['tickets_per_s_without_clients']} → {report['tickets_per_s_with_clients']} "
        f"new tickets/s with {args.ws_clients} workspace clients "
        f"({report['slower_percent']:+.1f}% slower); {' / '.join(report['machine_speed'])}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

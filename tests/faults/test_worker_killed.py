"""Fault: the Celery worker process sending a mail is SIGKILLed mid-send (as the OOM killer
does: it picks the pool process doing the work). With acks_late and reject_on_worker_lost the
task goes back to the broker and another worker process sends the mail: exactly once.

Two workers (prefork, one process each) on a private Redis and the test database; the SMTP
server (aiosmtpd in this process) holds the first connection at RCPT so the kill lands while
the send is open and its outbox row is locked in an open transaction."""

import os
import signal
import socket
import subprocess
import threading
import time

import pytest
from aiosmtpd.controller import Controller

from agents.models import Notification, NotificationStatus
from agents.services import notifications
from agents.tests.test_outbox import Inbox
from journey.services import comment_add
from tests.processes import CELERY, ROOT, start_celery, stop, test_database_url
from tickets.tests.factories import TicketFactory

from .servers import PrivateRedis, web_env


class HangingInbox(Inbox):
    """Holds the first recipient for a minute (the sender is killed meanwhile)."""

    def __init__(self) -> None:
        super().__init__()
        self.held = threading.Event()
        self.rcpts = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        import asyncio

        self.rcpts += 1
        if self.rcpts == 1:
            self.held.set()
            await asyncio.sleep(60)
        envelope.rcpt_tos.append(address)
        return "250 OK"


def worker_running(task: str, workers: list, logs) -> subprocess.Popen:
    """The worker whose log says it received `task` (its task list at start names every task)."""
    for name, worker in zip(("w1", "w2"), workers, strict=True):
        if f"Task {task}[" in (logs / f"{name}.log").read_text():
            return worker
    raise AssertionError(f"no worker received {task}")


def pool_children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(line) for line in out.split()]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_mail_send_is_redone_by_another_exactly_once(
    agent, monkeypatch, tmp_path
):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        smtp_port = s.getsockname()[1]
    inbox = HangingInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    private = PrivateRedis().start()
    env = web_env(
        database_url=test_database_url(),
        redis_url=private.url(),
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        EMAIL_TIMEOUT="120",
    )
    monkeypatch.setattr(notifications, "enqueue_on_commit", lambda *args: None)
    ticket = TicketFactory(customer_email="alice@example.com", channel="email")
    comment_add(ticket=ticket, user=agent.user, body="The fix is live.")
    row = Notification.objects.get(backend="email")
    workers = []
    try:
        for name in ("w1", "w2"):
            workers.append(
                start_celery(
                    ["worker", "--concurrency=1", "-n", f"{name}@%h", "--loglevel=INFO"],
                    env,
                    tmp_path / f"{name}.log",
                )
            )
        time.sleep(3)
        subprocess.run(
            [CELERY, "-A", "helpdesk", "call", "agents.tasks.notification_send"]
            + ["--args", f"[{row.pk}]"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        assert inbox.held.wait(30), "no worker started the send"
        # the pool process holding the SMTP connection: the one whose parent logged "received"
        sender = worker_running("agents.tasks.notification_send", workers, tmp_path)
        [child] = pool_children(sender.pid)
        os.kill(child, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            row.refresh_from_db()
            if row.status == NotificationStatus.SENT:
                break
            time.sleep(0.3)
        time.sleep(2)  # a second send, if any, would arrive now
    finally:
        for worker in workers:
            stop(worker)
        controller.stop()
        private.close()
    logs = "".join((tmp_path / f"{n}.log").read_text() for n in ("w1", "w2"))
    assert "WorkerLostError" in logs, logs
    assert logs.count("notification_send[") and logs.count("] succeeded in") == 1, logs
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT, logs
    assert row.attempts == 1  # the killed attempt's transaction was rolled back with it
    assert [m["To"] for m in inbox.received] == ["alice@example.com"]  # exactly once


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_intake_batch_leaves_each_ticket_taken_in_once(tmp_path):
    """The drain takes tickets in one transaction each; Claude answers slowly (0.4 s) so the
    batch of 20 is still running when its pool process is killed after the third ticket."""
    from routing.models import ClassificationLog
    from routing.tests.fake_anthropic import FakeAnthropic
    from tickets.models import Category, Queue, Ticket, TicketEvent
    from tickets.services import ticket_store_pending

    Queue.objects.create(slug="billing", name="Billing")
    Category.objects.create(slug="billing-issue", name="Billing issue")
    claude = FakeAnthropic().start()
    claude.mode, claude.delay = "slow", 0.4
    claude.tool_input = {
        "queue": "billing",
        "queue_confidence": 0.95,
        "category": "billing-issue",
        "category_confidence": 0.9,
        "priority": "normal",
        "priority_confidence": 0.8,
        "language": "en",
        "reason": "Billing.",
    }
    for n in range(20):
        ticket_store_pending(
            subject=f"Invoice {n}",
            body="I was charged twice.",
            channel="api",
            customer_email=f"c{n}@example.com",
            external_id=f"batch-{n}",
        )
    private = PrivateRedis().start()
    env = web_env(
        database_url=test_database_url(),
        redis_url=private.url(),
        ANTHROPIC_API_KEY="test-key",
        ANTHROPIC_BASE_URL=claude.base_url,
        HELPDESK_LLM_POLICY="always",
        HELPDESK_LLM_TIMEOUT="5",
    )
    workers = []
    try:
        for name in ("w1", "w2"):
            workers.append(
                start_celery(
                    ["worker", "--concurrency=1", "-n", f"{name}@%h", "--loglevel=INFO"],
                    env,
                    tmp_path / f"{name}.log",
                )
            )
        time.sleep(3)
        subprocess.run(
            [CELERY, "-A", "helpdesk", "call", "journey.tasks.ticket_intake_drain"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        deadline = time.monotonic() + 30
        while Ticket.objects.filter(intake_pending=False).count() < 3:
            assert time.monotonic() < deadline, "the drain did not start"
            time.sleep(0.05)
        sender = worker_running("journey.tasks.ticket_intake_drain", workers, tmp_path)
        [child] = pool_children(sender.pid)
        os.kill(child, signal.SIGKILL)
        killed_with = Ticket.objects.filter(intake_pending=True).count()
        deadline = time.monotonic() + 90
        while Ticket.objects.filter(intake_pending=True).exists() and time.monotonic() < deadline:
            time.sleep(0.3)
    finally:
        for worker in workers:
            stop(worker)
        claude.stop()
        private.close()
    logs = "".join((tmp_path / f"{n}.log").read_text() for n in ("w1", "w2"))
    assert "WorkerLostError" in logs, logs[-3000:]
    assert logs.count("ticket_intake_drain[") >= 3  # received, received again, succeeded
    assert 0 < killed_with < 18, "the kill did not land mid-batch"
    assert not Ticket.objects.filter(intake_pending=True).exists(), logs[-3000:]
    assert set(Ticket.objects.values_list("queue__slug", flat=True)) == {"billing"}
    for kind in (TicketEvent.Kind.CREATED, TicketEvent.Kind.ROUTED):
        per_ticket = TicketEvent.objects.filter(kind=kind).values_list("ticket_id", flat=True)
        assert sorted(per_ticket) == sorted(Ticket.objects.values_list("pk", flat=True)), kind
    assert ClassificationLog.objects.count() == 20  # each ticket classified (and logged) once


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_sla_pass_fires_each_escalation_once(queue, tmp_path):
    """40 tickets past their resolution target, 40 near it. The test holds a row lock on one
    of them, so the pass stops inside its transaction, having claimed what it could; its pool
    process is killed there, the lock released, and the pass comes back on another worker."""
    from datetime import timedelta

    import psycopg
    from django.utils import timezone

    from tickets.models import Comment, Status, Ticket, TicketEvent

    now = timezone.now()
    breaching = [
        TicketFactory(
            queue=queue, status=Status.ASSIGNED, sla_resolution_due=now - timedelta(minutes=1)
        )
        for _ in range(40)
    ]
    for _ in range(40):
        TicketFactory(
            queue=queue, status=Status.OPEN, sla_resolution_due=now + timedelta(minutes=10)
        )
    private = PrivateRedis().start()
    env = web_env(database_url=test_database_url(), redis_url=private.url())
    workers = []
    holder = psycopg.connect(test_database_url())
    try:
        holder.execute(
            f"select id from {Ticket._meta.db_table} where id = %s for update",
            [breaching[-1].pk],
        )  # psycopg opened a transaction: the lock stays until commit
        for name in ("w1", "w2"):
            workers.append(
                start_celery(
                    ["worker", "--concurrency=1", "-n", f"{name}@%h", "--loglevel=INFO"],
                    env,
                    tmp_path / f"{name}.log",
                )
            )
        time.sleep(3)
        subprocess.run(
            [CELERY, "-A", "helpdesk", "call", "sla.tasks.sla_monitor"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        with psycopg.connect(test_database_url(), autocommit=True) as watcher:
            deadline = time.monotonic() + 30
            while not watcher.execute(
                "select count(*) from pg_stat_activity where wait_event_type = 'Lock'"
                " and datname = current_database()"
            ).fetchone()[0]:
                assert time.monotonic() < deadline, "the pass never reached the locked row"
                time.sleep(0.05)
        sender = worker_running("sla.tasks.sla_monitor", workers, tmp_path)
        [child] = pool_children(sender.pid)
        os.kill(child, signal.SIGKILL)
        time.sleep(1)
        escalated_while_killed = TicketEvent.objects.filter(kind="escalated").count()
        holder.commit()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if "succeeded" in "".join((tmp_path / f"{n}.log").read_text() for n in ("w1", "w2")):
                break
            time.sleep(0.3)
    finally:
        holder.close()
        for worker in workers:
            stop(worker)
        private.close()
    logs = "".join((tmp_path / f"{n}.log").read_text() for n in ("w1", "w2"))
    assert "WorkerLostError" in logs, logs[-3000:]
    assert escalated_while_killed == 0  # the killed pass's claims rolled back with it
    assert TicketEvent.objects.filter(kind="escalated").count() == 80, logs[-3000:]
    assert Comment.objects.count() == 80  # one escalation note per ticket and level
    assert Ticket.objects.filter(status=Status.ESCALATED, escalation_level=2).count() == 40
    assert Ticket.objects.filter(status=Status.OPEN, escalation_level=1).count() == 40

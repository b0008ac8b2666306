"""Jobs queued by name reach their task after commit, also in a process that never imported
the tasks module (a web server)."""

import subprocess
import sys

import pytest

from core.jobs import enqueue_on_commit


@pytest.mark.django_db
def test_a_job_queued_by_name_runs_only_after_commit(django_capture_on_commit_callbacks):
    from agents import tasks

    calls = []
    original = tasks.assign_waiting_tickets.run
    tasks.assign_waiting_tickets.run = lambda: calls.append("ran") or 0
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            enqueue_on_commit("agents.tasks.assign_waiting_tickets")
            assert calls == []  # nothing before the commit
        assert len(callbacks) == 1 and calls == ["ran"]
    finally:
        tasks.assign_waiting_tickets.run = original


def test_a_fresh_process_finds_tasks_it_never_imported():
    code = (
        "import django; django.setup(); from core.jobs import task_named; "
        "print(task_named('journey.tasks.ticket_intake_drain').name)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"DJANGO_SETTINGS_MODULE": "helpdesk.settings.test", "PATH": ""},
        timeout=60,
        check=True,
    )
    assert out.stdout.strip() == "journey.tasks.ticket_intake_drain"

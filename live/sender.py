"""The background sender: committed events leave from one daemon thread per process, which
drains whatever piled up and sends it concurrently over its own event loop and channel layer
instance, so a request pays for a queue append, not a channel-layer round trip. A forked child
(a Celery worker) starts its own."""

import asyncio
import atexit
import collections
import logging
import os
import threading
from typing import Any

from channels import DEFAULT_CHANNEL_LAYER
from channels.layers import channel_layers, get_channel_layer
from django.conf import settings

from . import process
from .envelopes import Audience, coalesce, deliveries

logger = logging.getLogger(__name__)

SEND_CONCURRENCY = 16  # group sends in flight at once, well under the Redis pool's limit
SEND_TIMEOUT = 10.0  # seconds for one batch; the sender never waits forever on a dead Redis
LINGER = 0.002  # seconds the sender waits after a wake-up before taking what piled up


def linger() -> float:
    """LINGER, or in a Celery worker HELPDESK_REALTIME_WORKER_LINGER (live/process.py)."""
    return settings.HELPDESK_REALTIME_WORKER_LINGER if process.IN_WORKER else LINGER


class _Sender:
    """A daemon thread with one event loop that sends queued (group, envelope) batches."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self._items: collections.deque = collections.deque()
        self._pending = 0
        self._lock = threading.Condition()
        self._ready = threading.Event()
        self._asleep = True
        self._thread = threading.Thread(target=self._run, name="helpdesk-realtime", daemon=True)
        self._thread.start()
        self._ready.wait(5)

    def put(self, event: tuple[dict[str, Any], bool, Audience | None]) -> None:
        """Queue one committed (message, internal, audience); the caller only pays for an append."""
        with self._lock:
            self._pending += 1
            self._items.append(event)
            if self._asleep:  # wake the loop once per batch, not once per event
                self._asleep = False
                wake = True
            else:
                wake = False
        if wake:
            self._loop.call_soon_threadsafe(self._wake.set)

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything queued so far was sent (tests, benchmarks, shutdown)."""
        with self._lock:
            return self._lock.wait_for(lambda: self._pending == 0, timeout=timeout)

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._ready.set()
        while True:
            await self._wake.wait()
            self._wake.clear()
            # A commit's hooks run one after another, but other hooks in between (mail outbox,
            # the intake doorbell) do I/O and let this thread in early: wait a moment so the
            # commit's events (and concurrent requests') travel as one message per group.
            await asyncio.sleep(linger())
            with self._lock:  # take whatever piled up while we waited or sent
                queued = list(self._items)
                self._items.clear()
                self._asleep = not queued
            if not queued:
                continue
            batch = [
                deliveries(message, internal=internal, audience=audience)
                for message, internal, audience in queued
            ]
            self._wake.set()  # look again once this batch is out: more may have piled up
            try:
                # a dead Redis gives up after SEND_TIMEOUT; a large burst gets time in proportion
                limit = max(SEND_TIMEOUT, 0.005 * sum(len(sends) for sends in batch))
                await asyncio.wait_for(self._send(self._layer(), batch), limit)
            except Exception:  # Redis down or slow: these events are lost, later ones still go
                logger.exception("%d live event batch(es) not delivered", len(batch))
            finally:
                with self._lock:
                    self._pending -= len(batch)
                    self._lock.notify_all()

    def _layer(self):
        """A layer instance of our own (channels-redis objects hold locks bound to the loop that
        first used them), rebuilt when the configured layer changes (tests override settings)."""
        shared = get_channel_layer()
        if shared is not getattr(self, "_shared", None):
            self._shared = shared
            self._own = channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)
        return self._own

    async def _send(self, layer, batch) -> None:
        # Bounded: a burst (an SLA pass escalating thousands of tickets) must not open more Redis
        # connections than the pool allows, or channels-redis drops the overflow.
        gate = asyncio.Semaphore(SEND_CONCURRENCY)

        async def send_one(group: str, envelope: dict[str, Any]) -> None:
            async with gate:
                await layer.group_send(group, envelope)

        results = await asyncio.gather(
            *(send_one(group, envelope) for group, envelope in coalesce(batch)),
            return_exceptions=True,
        )
        for result in results:
            if isinstance(result, Exception):
                logger.error("live event not delivered: %r", result)


_sender_instance: _Sender | None = None
_sender_lock = threading.Lock()


def sender() -> _Sender:
    """The process's sender; a forked child (a Celery worker) starts its own."""
    global _sender_instance
    with _sender_lock:
        if _sender_instance is None or _sender_instance.pid != os.getpid():
            _sender_instance = _Sender()
        return _sender_instance


def flush(timeout: float = 5.0) -> bool:
    """Block until every committed event of this process has been handed to the channel layer."""
    instance = _sender_instance
    if instance is None or instance.pid != os.getpid():
        return True
    return instance.flush(timeout)


atexit.register(flush, 2.0)

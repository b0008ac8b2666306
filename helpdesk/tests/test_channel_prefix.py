"""Live events of two deployments sharing one Redis server never cross (Pub/Sub ignores the
database number, so the channel layer's prefix carries it)."""

import asyncio

import pytest
from django.conf import settings

from helpdesk.settings.base import redis_db


def test_the_prefix_names_the_redis_database():
    assert redis_db("redis://127.0.0.1:6379/10") == "10"
    assert redis_db("redis://127.0.0.1:6379") == "0"
    config = settings.CHANNEL_LAYERS["default"]["CONFIG"]
    assert config["prefix"] == f"helpdesk{redis_db(settings.REDIS_URL)}"


def test_a_group_message_of_another_database_does_not_arrive():
    backend = settings.CHANNEL_LAYERS["default"]["BACKEND"]
    config = settings.CHANNEL_LAYERS["default"]["CONFIG"]
    from django.utils.module_loading import import_string

    layer_class = import_string(backend)
    ours = layer_class(**config)
    theirs = layer_class(**{**config, "prefix": config["prefix"] + "-other"})

    async def scenario():
        channel = await ours.new_channel()
        await ours.group_add("workspace", channel)
        await asyncio.sleep(0.2)
        await theirs.group_send("workspace", {"type": "x.event", "n": 1})
        await ours.group_send("workspace", {"type": "x.event", "n": 2})
        first = await asyncio.wait_for(ours.receive(channel), 5)
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(ours.receive(channel), 0.5)
        for layer in (ours, theirs):
            flush = getattr(layer, "flush", None)
            if flush:
                await flush()
        return first

    assert asyncio.run(scenario())["n"] == 2

import pytest
from channels.layers import channel_layers


@pytest.fixture(autouse=True)
def fresh_channel_layer():
    """Each test runs on its own event loop; channels-redis binds its receive lock to the loop that
    first used a layer instance, so every test gets a fresh instance."""
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()

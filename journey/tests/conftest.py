# The AI agent's run and the pipeline's tests use the agents app's fake Claude server and its
# fresh ranking history.
from agents.tests.conftest import _fresh_history, fake_server  # noqa: F401

# Pushes to agents' phones go to the push tests' local FCM and OAuth token server.
from agents.tests.test_push_fcm import google  # noqa: E402, F401

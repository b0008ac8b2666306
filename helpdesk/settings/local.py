"""The embedded default of `make run`: SQLite under var/, in-memory channels, local job broker."""

from .base import *  # noqa: F401,F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)

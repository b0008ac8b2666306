"""WebSocket authentication: the session cookie, or `?token=` for mobile apps; the origin check
for browsers."""

from importlib import import_module
from urllib.parse import parse_qs

from channels.auth import AuthMiddleware
from channels.db import database_sync_to_async
from channels.security.websocket import AllowedHostsOriginValidator
from channels.sessions import CookieMiddleware
from django.conf import settings
from django.contrib.auth.models import AnonymousUser


@database_sync_to_async
def _user_for_token(key: str):
    from core.tokens import token_user

    return token_user(key) or AnonymousUser()


class _TokenMiddleware:
    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        query = parse_qs(scope.get("query_string", b"").decode())
        token = (query.get("token") or [None])[0]
        if token:
            scope = dict(scope, user=await _user_for_token(token))
        return await self.inner(scope, receive, send)


class _SessionAtConnectMiddleware:
    """The session named by the cookie, for the user lookup at connect.

    Channels' `SessionMiddleware` also wraps every outgoing message to save the session and set
    its cookie on HTTP responses; a WebSocket frame never carries a cookie and our consumers never
    write the session, yet the wrapper checked the session on each of them (a noticeable share
    of daphne's CPU per frame with many workspace sockets). This one only reads it."""

    def __init__(self, inner):
        self.inner = inner
        self.store = import_module(settings.SESSION_ENGINE).SessionStore

    async def __call__(self, scope, receive, send):
        key = scope["cookies"].get(settings.SESSION_COOKIE_NAME)
        return await self.inner(dict(scope, session=self.store(key)), receive, send)


def TokenOrSessionAuthMiddleware(inner):  # noqa: N802 (mirrors Channels' naming)
    """Channels' AuthMiddlewareStack, with a session that does not wrap every sent frame."""
    return CookieMiddleware(_SessionAtConnectMiddleware(AuthMiddleware(_TokenMiddleware(inner))))


class _NativeAppsOrAllowedOrigin:
    """Browsers send `Origin` on every WebSocket handshake, and a foreign one is refused (a
    cross-site page would ride on the session cookie). Native apps (OkHttp, URLSession) send none
    and sign in with `?token=`, which no other site can supply: a handshake without `Origin` skips
    the origin check, and its cookies are dropped, so only a token can sign it in."""

    def __init__(self, inner):
        self.inner = inner
        self.checked = AllowedHostsOriginValidator(inner)

    async def __call__(self, scope, receive, send):
        headers = scope.get("headers") or []
        if any(name.lower() == b"origin" for name, _ in headers):
            return await self.checked(scope, receive, send)
        cookieless = [(name, value) for name, value in headers if name.lower() != b"cookie"]
        return await self.inner(dict(scope, headers=cookieless), receive, send)


def WebSocketAuthStack(inner):  # noqa: N802 (mirrors Channels' naming)
    """What every WebSocket route runs behind: the origin check (native apps excepted), then
    the session or `?token=` sign-in."""
    return _NativeAppsOrAllowedOrigin(TokenOrSessionAuthMiddleware(inner))

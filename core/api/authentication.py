"""`Authorization: Token <key>` against hashed tokens (core/tokens.py): DRF's header format,
so apps keep working, without DRF's authtoken table of keys in clear."""

from rest_framework import authentication, exceptions

from core.tokens import token_user


class HashedTokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        user = token_user(key)
        if user is None:
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked token.")
        return (user, None)

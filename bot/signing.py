"""Signed tokens (PyJWT, HS256) for links and buttons.

Each purpose (export links, plan buttons…) names an audience and gets a key
of its own derived from ``BATCHOPS_SECRET_KEY``: a token signed for one
purpose is refused by every other, and a short secret still gives a key of
the length HS256 wants. Expiry is checked against batchops' clock, not the
library's, so tests and the frozen clock agree.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

import jwt

from bot.config import Settings


class BadToken(Exception):
    """A token that was not signed by us for this audience, or is malformed."""


class ExpiredToken(BadToken):
    """A sound token whose time is over; ``expired_at`` says when it ended."""

    def __init__(self, expired_at: datetime, claims: dict[str, Any]) -> None:
        super().__init__(f"expired at {expired_at.isoformat()}")
        self.expired_at = expired_at
        self.claims = claims


def signing_key(settings: Settings, audience: str) -> bytes:
    """The key of one purpose, derived from the configured secret."""
    return hashlib.sha256(f"{audience}\0{settings.secret_key}".encode()).digest()


def sign_token(
    settings: Settings,
    audience: str,
    claims: dict[str, Any],
    now: datetime,
    lifetime: timedelta | None = None,
    *,
    expires_at: datetime | None = None,
) -> str:
    """``claims`` signed for ``audience``, valid for ``lifetime`` from ``now``
    or until ``expires_at``."""
    end = expires_at if expires_at is not None else now + (lifetime or timedelta())
    signed = {
        **claims,
        "aud": audience,
        "iat": int(now.timestamp()),
        "exp": int(end.timestamp()),
    }
    return jwt.encode(signed, signing_key(settings, audience), algorithm="HS256")


def read_token(
    settings: Settings, audience: str, token: str, now: datetime
) -> dict[str, Any]:
    """The claims of a sound, unexpired token.

    Raises :class:`ExpiredToken` for a sound token past its time and
    :class:`BadToken` for anything else (another key, audience or shape).
    """
    try:
        claims = jwt.decode(
            token,
            signing_key(settings, audience),
            algorithms=["HS256"],
            audience=audience,
            options={"verify_exp": False, "require": ["exp", "aud"]},
        )
    except jwt.InvalidTokenError as error:
        raise BadToken(str(error)) from None

    expiry = claims.get("exp")
    if not isinstance(expiry, int):
        raise BadToken("exp is not a number")
    if now.timestamp() >= expiry:
        ended = datetime.fromtimestamp(expiry, now.tzinfo)
        raise ExpiredToken(ended, claims)
    return claims

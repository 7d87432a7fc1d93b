"""Zoom webhook signatures and the endpoint URL validation answer.

Zoom signs ``v0:{x-zm-request-timestamp}:{raw body}`` with HMAC-SHA256 keyed
with the app's secret token and sends ``v0=`` + hex digest in
``x-zm-signature`` (https://developers.zoom.us/docs/api/webhooks/).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime

SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
MAX_CLOCK_SKEW_S = 300


def sign(secret: str, timestamp: str, body: bytes) -> str:
    message = b"v0:" + timestamp.encode() + b":" + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return "v0=" + digest


def verify_signature(
    secret: str, timestamp: str | None, body: bytes, signature: str | None
) -> bool:
    """True when ``signature`` is Zoom's for this timestamp and raw body."""
    if not secret or not timestamp or signature is None:
        return False
    if not SIGNATURE.fullmatch(signature):
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def is_fresh(timestamp: str | None, now: datetime) -> bool:
    """True when the request's timestamp (seconds) is close to ``now``.

    Replaying a captured request later is then refused.
    """
    if not timestamp or not timestamp.isdigit() or len(timestamp) > 12:
        return False
    return abs(now.timestamp() - int(timestamp)) <= MAX_CLOCK_SKEW_S


def url_validation_answer(secret: str, plain_token: str) -> dict[str, str]:
    encrypted = hmac.new(
        secret.encode(), plain_token.encode(), hashlib.sha256
    ).hexdigest()
    return {"plainToken": plain_token, "encryptedToken": encrypted}

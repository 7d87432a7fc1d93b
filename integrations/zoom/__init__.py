"""Zoom Team Chat: the chatbot API client and the card checks it relies on."""

from integrations.zoom.client import DEFAULT_API_URL, DEFAULT_OAUTH_URL, ZoomClient
from integrations.zoom.content import validate_content
from integrations.zoom.errors import ZoomError

__all__ = [
    "DEFAULT_API_URL",
    "DEFAULT_OAUTH_URL",
    "ZoomClient",
    "ZoomError",
    "validate_content",
]

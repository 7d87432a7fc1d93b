"""Errors of a deploy told in the reader's language."""

from __future__ import annotations

from typing import Any

from bot.texts import text


class DeployError(Exception):
    """Something a deploy cannot do; ``key`` names the text saying why."""

    def __init__(self, key: str, *, retryable: bool = False, **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.values = values
        self.retryable = retryable

    def text(self, lang: str) -> str:
        return text(lang, self.key, **self.values)

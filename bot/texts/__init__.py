"""Every sentence a person reads, in French (default) and English.

Cards are assembled in :mod:`bot.cards`; the words live in this package, one
module per area, so that a change of wording, or a new language, is made here.
Each area module holds ``TEXTS = {"fr": {...}, "en": {...}}``.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from bot.texts import core, deploy, inventory, reports, watch

AREAS: tuple[ModuleType, ...] = (core, inventory, reports, watch, deploy)

TEXTS: dict[str, dict[str, str]] = {"fr": {}, "en": {}}
for _area in AREAS:
    for _lang, _sentences in _area.TEXTS.items():
        _clash = TEXTS[_lang].keys() & _sentences.keys()
        if _clash:
            raise RuntimeError(f"text keys defined twice: {sorted(_clash)}")
        TEXTS[_lang].update(_sentences)


def text(lang: str, key: str, **values: Any) -> str:
    """The sentence ``key`` in ``lang`` (English when a key is missing)."""
    template = TEXTS.get(lang, TEXTS["en"]).get(key) or TEXTS["en"][key]
    return template.format(**values)

"""errors: error statistics and a chart over the last 24 hours, 7 or 30 days."""

from __future__ import annotations

from typing import NoReturn

from bot.error_report import Filters, rolling_spec
from bot.inventory_file import category_of
from bot.reports import report_card
from bot.router import Content, Context, Refusal, command
from bot.texts import text

DEFAULT_PERIOD = "24h"
PERIOD_WORDS = {"24h": "24h", "7d": "7d", "7j": "7d", "30d": "30d", "30j": "30d"}
FILTER_WORDS = {
    "client": "client",
    "batch": "batch",
    "server": "server",
    "serveur": "server",
    "category": "category",
    "catégorie": "category",
    "categorie": "category",
}


@command("errors")
def show_errors(ctx: Context) -> Content:
    """Error statistics and a chart: `errors 24h|7d|30d [FILTERS]`.

    Totals, errors per batch, the most frequent errors and a chart per hour
    (24h) or per day (7d, 30d), stacked by category. The period defaults to
    24h. Filters: `client NAME`, `batch NAME`, `server NAME`,
    `category CATEGORY`, or `key=value`; quote names with spaces or just type
    them: `errors 7d client Mutuelle Horizon category export`.
    """
    period, filters = parse_errors_args(ctx.request.args, ctx.lang)
    runtime = ctx.runtime
    spec = rolling_spec(period, runtime.clock.now(), runtime.settings.zone, filters)
    return report_card(runtime, spec, ctx.lang)


def parse_errors_args(args: list[str], lang: str) -> tuple[str, Filters]:
    """The period and the filters; a refusal says what is accepted."""
    period: str | None = None
    values: dict[str, str] = {}
    words = list(args)
    while words:
        word = words.pop(0)
        if period is None and word.lower() in PERIOD_WORDS:
            period = PERIOD_WORDS[word.lower()]
            continue

        key, equals, value = word.partition("=")
        name = FILTER_WORDS.get(key.lower())
        if name is None:
            _refuse(lang, "report.unknown_word", word=word)
        if not equals:
            value = _value_words(words)
        if not value:
            _refuse(lang, "report.no_value", name=key)
        if name in values:
            _refuse(lang, "report.twice", name=key)
        values[name] = _category(value, lang) if name == "category" else value
    return period or DEFAULT_PERIOD, Filters(**values)


def _value_words(words: list[str]) -> str:
    """Take words up to the next filter name or period: names need no quotes."""
    taken = []
    while words and not _starts_filter(words[0]):
        taken.append(words.pop(0))
    return " ".join(taken)


def _starts_filter(word: str) -> bool:
    lowered = word.lower()
    return lowered in PERIOD_WORDS or lowered.partition("=")[0] in FILTER_WORDS


def _category(value: str, lang: str) -> str:
    category = category_of(value)
    if category is None:
        _refuse(lang, "report.bad_category", value=value)
    return category


def _refuse(lang: str, sentence: str, **values: str) -> NoReturn:
    raise Refusal(f"{text(lang, sentence, **values)}\n{text(lang, 'report.usage')}")

"""An error report as people see it: figures, chart link and card together."""

from __future__ import annotations

from datetime import datetime

from bot import chart_links
from bot.cards import Content
from bot.cards.reports import error_report_card, filters_text
from bot.error_report import ErrorReport, ReportSpec, build_report
from bot.router import Refusal
from bot.runtime import Runtime
from bot.texts import text


def report_card(
    runtime: Runtime,
    spec: ReportSpec,
    lang: str,
    late_due: datetime | None = None,
) -> Content:
    """Build the report, draw its chart ahead of Zoom's request, make the card.

    Raises :class:`Refusal` when filters keep no batch at all.
    """
    zone = runtime.settings.zone
    with runtime.store.session() as session:
        report = build_report(session, spec, zone)
    if spec.filters.given() and report.batches_matched == 0:
        raise Refusal(text(lang, "report.no_match", filters=filters_text(lang, report)))

    url = _publish_chart(runtime, report, lang) if report.total else None
    return error_report_card(lang, zone, report, url, late_due)


def _publish_chart(runtime: Runtime, report: ErrorReport, lang: str) -> str:
    chart_links.chart_png(runtime, report.spec, lang, report)
    return chart_links.chart_url(runtime, report.spec, lang)

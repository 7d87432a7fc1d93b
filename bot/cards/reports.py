"""Cards of error reports: `/errors` and the weekly and daily posts."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.cards import Content, card, fields, first_line, message
from bot.error_report import ErrorReport, ReportSpec
from bot.texts import text

MAX_BATCH_ROWS = 12
MAX_SAMPLE_CHARS = 160


def count(lang: str, value: int) -> str:
    """A whole number grouped by thousands the way ``lang`` writes it."""
    grouped = f"{value:,}"
    return grouped.replace(",", "\u202f") if lang == "fr" else grouped


def weekday(lang: str, moment: datetime) -> str:
    return text(lang, "time.weekdays").split(",")[moment.weekday()]


def day_label(lang: str, moment: datetime, zone: ZoneInfo) -> str:
    """``lun. 30/03``: the local day of ``moment``."""
    local = moment.astimezone(zone)
    return text(lang, "time.day", weekday=weekday(lang, local), date=local)


def moment_label(lang: str, moment: datetime, zone: ZoneInfo) -> str:
    """``lun. 30/03/2026 08:00``: ``moment`` in local time, to the minute."""
    local = moment.astimezone(zone)
    return text(lang, "time.moment", weekday=weekday(lang, local), date=local)


def report_title(lang: str, spec: ReportSpec, zone: ZoneInfo) -> str:
    if spec.unit == "hour":
        end = moment_label(lang, spec.end, zone)
    else:
        # A week ends at the next Monday's midnight: name the Sunday it closes.
        end = day_label(lang, spec.end - timedelta(microseconds=1), zone)
    start = day_label(lang, spec.start, zone)
    return text(lang, f"report.title.{spec.period}", start=start, end=end)


def filters_text(lang: str, report: ErrorReport) -> str:
    return ", ".join(
        f"{text(lang, f'filter.{key}')} {value}"
        for key, value in report.spec.filters.given()
    )


def error_report_card(
    lang: str,
    zone: ZoneInfo,
    report: ErrorReport,
    chart_url: str | None,
    late_due: datetime | None = None,
) -> Content:
    """Totals, the chart, errors per batch and the most frequent groups."""
    title = report_title(lang, report.spec, zone)
    span = text(
        lang,
        "report.span",
        start=moment_label(lang, report.spec.start, zone),
        end=moment_label(lang, report.spec.end, zone),
        zone=zone.key,
    )
    items = []
    if late_due is not None:
        items.append(
            message(text(lang, "report.late", due=moment_label(lang, late_due, zone)))
        )
    items.append(_totals(lang, report))
    if report.total == 0:
        items.append(message(text(lang, "report.empty")))
        return card(title, *items, sub_head=span)

    if chart_url is not None:
        items.append(_chart(lang, zone, report.spec, title, chart_url))
    items += [
        message(text(lang, "report.per_batch")),
        _per_batch(lang, report),
        message(_top_groups(lang, report)),
    ]
    return card(title, *items, sub_head=span)


def _totals(lang: str, report: ErrorReport) -> dict[str, object]:
    pairs = [
        (text(lang, "report.errors"), count(lang, report.total)),
        (text(lang, "report.batches"), count(lang, len(report.per_batch))),
        (text(lang, "report.groups"), count(lang, report.groups)),
    ]
    if report.spec.filters.given():
        pairs.append((text(lang, "report.filters"), filters_text(lang, report)))
    return fields(pairs)


def _chart(
    lang: str, zone: ZoneInfo, spec: ReportSpec, title: str, url: str
) -> Content:
    unit = text(lang, f"unit.{spec.unit}")
    return {
        "type": "attachments",
        "resource_url": url,
        "img_url": url,
        "information": {
            "title": {"text": title},
            "description": {
                "text": text(lang, "report.chart_about", unit=unit, zone=zone.key)
            },
        },
        "ext": "png",
    }


def _per_batch(lang: str, report: ErrorReport) -> dict[str, object]:
    shown = report.per_batch.head(MAX_BATCH_ROWS)
    pairs = [
        (f"{row.batch} ({row.client})", count(lang, int(row.errors)))
        for row in shown.itertuples()
    ]
    hidden = len(report.per_batch) - len(shown)
    if hidden > 0:
        rest = int(report.per_batch["errors"].iloc[MAX_BATCH_ROWS:].sum())
        pairs.append(
            (text(lang, "report.more_batches", count=hidden), count(lang, rest))
        )
    return fields(pairs)


def _top_groups(lang: str, report: ErrorReport) -> str:
    lines = [text(lang, "report.top_groups")]
    for row in report.top_groups.itertuples():
        sample = first_line(str(row.sample))
        if len(sample) > MAX_SAMPLE_CHARS:
            sample = sample[: MAX_SAMPLE_CHARS - 1] + "…"
        lines.append(
            text(
                lang,
                "report.group_line",
                count=count(lang, int(row.errors)),
                batch=row.batch,
                sample=sample,
            )
        )
    return "\n".join(lines)

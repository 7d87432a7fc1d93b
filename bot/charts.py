"""Charts of error reports: stacked bars per hour or day, as PNG bytes.

Drawn with matplotlib's Agg canvas on a Figure of our own, never through
pyplot: pyplot keeps global state, and charts are drawn from the web server's
threads and the scheduler's at once.
"""

from __future__ import annotations

import io
import math
from datetime import datetime
from zoneinfo import ZoneInfo

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from bot.cards.reports import count, day_label, report_title
from bot.error_report import ErrorReport
from bot.texts import text

WIDTH_PX = 960
HEIGHT_PX = 540
DPI = 150
MAX_TICK_LABELS = 10
MAX_BAR_TOTALS = 14
COLOURS = {
    # Okabe and Ito's palette: told apart with every common colour blindness.
    "send": "#0072B2",
    "import": "#E69F00",
    "export": "#009E73",
    "purge": "#CC79A7",
    "recurring": "#56B4E9",
}


def render_chart(report: ErrorReport, zone: ZoneInfo, lang: str) -> bytes:
    """The report's errors per bucket, stacked by category, as a PNG."""
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    # Fixed margins, sized for the longest labels we write: a layout engine
    # would find the same ones but draws the figure twice to do it.
    figure.subplots_adjust(left=0.1, right=0.8, bottom=0.17, top=0.89)
    axes = figure.subplots()

    _draw_bars(axes, report, lang)
    _label_axes(axes, report, zone, lang)
    figure.suptitle(
        report_title(lang, report.spec, zone), x=0.02, ha="left", fontsize=10
    )
    if axes.get_legend_handles_labels()[0]:
        # Listed top down, the way the bars stack them.
        axes.legend(
            loc="upper left",
            bbox_to_anchor=(1.02, 1.0),
            fontsize=7,
            frameon=False,
            handlelength=1,
            reverse=True,
        )

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _draw_bars(axes: Axes, report: ErrorReport, lang: str) -> None:
    frame = report.per_bucket
    positions = list(range(len(frame)))
    bottom = [0] * len(frame)
    for category in frame.columns:
        heights = frame[category].tolist()
        if not any(heights):
            continue
        axes.bar(
            positions,
            heights,
            bottom=bottom,
            width=0.8,
            color=COLOURS[category],
            label=text(lang, f"category.{category}"),
        )
        bottom = [low + high for low, high in zip(bottom, heights, strict=True)]

    if len(frame) <= MAX_BAR_TOTALS:
        for position, total in zip(positions, bottom, strict=True):
            if total:
                axes.annotate(
                    count(lang, total),
                    (position, total),
                    xytext=(0, 2),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=6,
                )


def _label_axes(axes: Axes, report: ErrorReport, zone: ZoneInfo, lang: str) -> None:
    unit = report.spec.unit
    starts = report.edges[:-1]
    step = max(1, math.ceil(len(starts) / MAX_TICK_LABELS))
    shown = list(range(0, len(starts), step))
    labels = [_tick(lang, starts[i], zone, unit, step, i == 0) for i in shown]
    axes.set_xticks(shown, labels)
    axes.tick_params(axis="both", labelsize=7, length=2)
    axes.set_xlim(-0.6, len(starts) - 0.4)

    axes.set_xlabel(text(lang, f"chart.{unit}", zone=zone.key), fontsize=8)
    axes.set_ylabel(text(lang, "chart.errors"), fontsize=8)
    axes.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True, min_n_ticks=1))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda y, _: count(lang, int(y))))
    axes.set_ylim(bottom=0, top=max(1.0, axes.get_ylim()[1] * 1.08))
    axes.grid(axis="y", linewidth=0.4, alpha=0.5)
    axes.set_axisbelow(True)
    axes.spines[["top", "right"]].set_visible(False)


def _tick(
    lang: str, start: datetime, zone: ZoneInfo, unit: str, step: int, first: bool
) -> str:
    """An hour, with its day under the first and past midnight; a day."""
    local = start.astimezone(zone)
    if unit == "hour":
        hour = text(lang, "time.hour", date=local)
        if first or local.hour < step:
            return f"{hour}\n{text(lang, 'time.short_day', date=local)}"
        return hour
    if step == 1:
        return day_label(lang, start, zone).replace(" ", "\n", 1)
    return text(lang, "time.short_day", date=local)

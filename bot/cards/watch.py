"""Cards of the watch: silent batches, heartbeats and API probes."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.cards import card, fields, listing_card, local_time, message
from bot.texts import text

if TYPE_CHECKING:
    from bot.watch import WatchRow

Content = dict[str, Any]

OUTPUT_LINES = 15
OUTPUT_LINE_CHARS = 200
SPARKS = "▁▂▃▄▅▆▇█"
FAILED_SPARK = "×"
QUIET_SPARK = "·"


@dataclass(frozen=True)
class BatchFacts:
    batch: str
    client: str
    server: str


def duration_text(delta: timedelta) -> str:
    """``45 min``, ``2 h``, ``1 h 30``, ``3 d``: short, for a card."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)} d"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def _batch_card(
    lang: str,
    title_key: str,
    facts: BatchFacts,
    pairs: list[tuple[str, str]],
    body: str,
) -> Content:
    """A card about one batch: its name, client and server, then ``pairs``."""
    return card(
        text(lang, title_key, batch=facts.batch),
        fields(
            [
                (text(lang, "alert.batch"), facts.batch),
                (text(lang, "alert.client"), facts.client),
                (text(lang, "alert.server"), facts.server),
                *pairs,
            ]
        ),
        message(body),
    )


def silent_card(
    lang: str,
    zone: ZoneInfo,
    facts: BatchFacts,
    due_at: datetime,
    grace: timedelta,
    last_activity: datetime | None,
) -> Content:
    pairs = [
        (text(lang, "watch.due"), local_time(due_at, zone, lang)),
        (text(lang, "watch.grace"), duration_text(grace)),
        (text(lang, "watch.last_activity"), local_time(last_activity, zone, lang)),
    ]
    body = text(lang, "watch.silent.text")
    return _batch_card(lang, "watch.silent.title", facts, pairs, body)


def failed_card(
    lang: str,
    zone: ZoneInfo,
    facts: BatchFacts,
    finished_at: datetime | None,
    exit_code: int | None,
    output: str | None,
) -> Content:
    code = text(lang, "none") if exit_code is None else str(exit_code)
    pairs = [
        (text(lang, "watch.finished"), local_time(finished_at, zone, lang)),
        (text(lang, "watch.exit_code"), code),
    ]
    body = output_tail(output) or text(lang, "watch.failed.no_output")
    return _batch_card(lang, "watch.failed.title", facts, pairs, body)


def output_tail(output: str | None) -> str:
    """The last lines of a script's output, each cut to fit a card."""
    if not output:
        return ""
    lines = output.rstrip().splitlines()[-OUTPUT_LINES:]
    return "\n".join(
        line if len(line) <= OUTPUT_LINE_CHARS else line[: OUTPUT_LINE_CHARS - 1] + "…"
        for line in lines
    )


def overdue_card(
    lang: str,
    zone: ZoneInfo,
    facts: BatchFacts,
    started_at: datetime,
    limit: timedelta,
) -> Content:
    pairs = [
        (text(lang, "watch.started"), local_time(started_at, zone, lang)),
        (text(lang, "watch.limit"), duration_text(limit)),
    ]
    body = text(lang, "watch.overdue.text")
    return _batch_card(lang, "watch.overdue.title", facts, pairs, body)


def recovered_card(
    lang: str,
    zone: ZoneInfo,
    facts: BatchFacts,
    problem: str,
    since: datetime | None,
    last_activity: datetime | None,
) -> Content:
    pairs = [
        (text(lang, "watch.last_activity"), local_time(last_activity, zone, lang)),
    ]
    body = text(lang, "watch.recovered.text", since=local_time(since, zone, lang))
    return _batch_card(lang, f"watch.recovered.{problem}", facts, pairs, body)


POWERSHELL_SNIPPET = """\
# --- {start} ---
$tls12 = [Net.SecurityProtocolType]::Tls12
[Net.ServicePointManager]::SecurityProtocol = `
    [Net.ServicePointManager]::SecurityProtocol -bor $tls12
$batchopsPing = '{url}'
function Send-BatchopsPing([string]$Signal, [string]$Output = '') {{
    # {limit}
    if ($Output.Length -gt 3000) {{
        $Output = $Output.Substring($Output.Length - 3000)
    }}
    $body = [Text.Encoding]::UTF8.GetBytes($Output)
    try {{
        Invoke-RestMethod -Method Post -Uri "$batchopsPing$Signal" `
            -Body $body -ContentType 'text/plain; charset=utf-8' `
            -TimeoutSec 10 | Out-Null
    }} catch {{
        Write-Warning "{unreachable} - $($_.Exception.Message)"
    }}
}}
Send-BatchopsPing '/start'
$exitCode = 0
$journal = New-Object System.Collections.Generic.List[string]
# --- {start_end} ---

try {{
    # {call}
    $response = Invoke-RestMethod -Method Post -TimeoutSec 120 `
        -Uri 'https://api.client.example/import' `
        -Body $payload -ContentType 'application/json'
    $journal.Add("{response} - $($response | ConvertTo-Json -Compress)")
}} catch {{
    $exitCode = 1
    $journal.Add("{error} - $($_.Exception.Message)")
}}

# --- {end} ---
$output = ($journal | Select-Object -Last 50) -join "`n"
Send-BatchopsPing "/$exitCode" $output
exit $exitCode"""
"""Lines for a .ps1 batch (Windows PowerShell 5.1): its start, its API call in
a try/catch, its end with the exit code and the last lines of its output."""

SNIPPET_WORDS = (
    "start",
    "limit",
    "unreachable",
    "start_end",
    "call",
    "response",
    "error",
    "end",
)


def powershell_snippet(lang: str, url: str) -> str:
    words = {word: text(lang, f"ping.snippet.{word}") for word in SNIPPET_WORDS}
    return POWERSHELL_SNIPPET.format(url=url, **words)


def ping_card(lang: str, batch: str, url: str) -> Content:
    return card(
        text(lang, "ping.title", batch=batch),
        message(text(lang, "ping.url", url=url)),
        message(text(lang, "ping.howto")),
        message(powershell_snippet(lang, url)),
    )


def watch_list_card(
    lang: str, zone: ZoneInfo, rows: Sequence[WatchRow], wanted: str | None
) -> Content:
    title = (
        text(lang, "watch.list.filtered", name=wanted)
        if wanted
        else text(lang, "watch.list.title")
    )
    if not rows:
        return card(title, message(text(lang, "watch.list.empty")))
    return listing_card(lang, title, [_watch_line(lang, zone, row) for row in rows])


def _watch_line(lang: str, zone: ZoneInfo, row: WatchRow) -> str:
    grace = duration_text(row.grace)
    if row.schedule:
        schedule = text(lang, "watch.list.cron", cron=row.schedule, grace=grace)
    elif row.triggers:
        schedule = text(lang, "watch.list.task", count=row.triggers, grace=grace)
    else:
        schedule = text(lang, "watch.list.heartbeat")
    icon = "✅" if row.state == "ok" else "🔕" if row.state == "silent" else "❌"
    return text(
        lang,
        "watch.list.line",
        icon=f"{icon} {text(lang, f'watch.state.{row.state}')}",
        batch=row.facts.batch,
        client=row.facts.client,
        schedule=schedule,
        last_due=_maybe_time(row.last_due, zone, lang),
        next_due=_maybe_time(row.next_due, zone, lang),
        activity=local_time(row.last_activity, zone, lang),
    )


def _maybe_time(moment: datetime | None, zone: ZoneInfo, lang: str) -> str:
    return local_time(moment, zone, lang) if moment else text(lang, "none")


@dataclass(frozen=True)
class ProbeFacts:
    name: str
    url: str
    owner: str
    """The batch or client the API serves, or —."""


@dataclass(frozen=True)
class ProbeCheck:
    """One check as cards show it."""

    checked_at: datetime
    ok: bool
    status: int | None
    latency_ms: int | None
    error: str | None


def probe_result_card(
    lang: str,
    zone: ZoneInfo,
    probe: ProbeFacts,
    check: ProbeCheck,
    history: Sequence[ProbeCheck],
) -> Content:
    key = "probe.ok.title" if check.ok else "probe.failed.title"
    pairs = [
        (text(lang, "probe.url"), probe.url),
        (text(lang, "probe.owner"), probe.owner),
        (text(lang, "probe.checked"), local_time(check.checked_at, zone, lang)),
        (text(lang, "probe.status"), _or_none(lang, check.status)),
        (text(lang, "probe.latency"), _milliseconds(lang, check.latency_ms)),
    ]
    if check.error:
        pairs.append((text(lang, "probe.error"), check.error))
    return card(
        text(lang, key, name=probe.name),
        fields(pairs),
        message(latency_summary(lang, history)),
    )


def latency_summary(lang: str, history: Sequence[ProbeCheck]) -> str:
    """Min, median and max latency of the good checks, and an hourly sparkline."""
    timed = [c.latency_ms for c in history if c.ok and c.latency_ms is not None]
    if not history or not timed:
        return text(lang, "probe.history.empty")
    return text(
        lang,
        "probe.history",
        count=len(history),
        failed=sum(1 for check in history if not check.ok),
        min=_milliseconds(lang, min(timed)),
        median=_milliseconds(lang, int(statistics.median(timed))),
        max=_milliseconds(lang, max(timed)),
        sparkline=sparkline(history, history[-1].checked_at),
    )


def sparkline(history: Sequence[ProbeCheck], end: datetime, hours: int = 24) -> str:
    """One character an hour, oldest first: the hour's worst latency, scaled
    to the day's worst, × for an hour with a failure, · for one unchecked."""
    buckets: list[list[ProbeCheck]] = [[] for _ in range(hours)]
    for check in history:
        age = int((end - check.checked_at).total_seconds() // 3600)
        if 0 <= age < hours:
            buckets[hours - 1 - age].append(check)
    worst = [
        max((c.latency_ms or 0 for c in bucket if c.ok), default=None)
        for bucket in buckets
    ]
    top = max((value for value in worst if value), default=1)
    return "".join(
        _spark(bucket, value, top) for bucket, value in zip(buckets, worst, strict=True)
    )


def _spark(bucket: list[ProbeCheck], value: int | None, top: int) -> str:
    if not bucket:
        return QUIET_SPARK
    if any(not check.ok for check in bucket):
        return FAILED_SPARK
    level = round((value or 0) / top * (len(SPARKS) - 1))
    return SPARKS[level]


def _milliseconds(lang: str, value: int | None) -> str:
    return text(lang, "none") if value is None else f"{value} ms"


def _or_none(lang: str, value: int | None) -> str:
    return text(lang, "none") if value is None else str(value)


def _probe_fields(lang: str, probe: ProbeFacts) -> dict[str, Any]:
    return fields(
        [
            (text(lang, "probe.url"), probe.url),
            (text(lang, "probe.owner"), probe.owner),
        ]
    )


def probe_down_card(
    lang: str, probe: ProbeFacts, failures: int, error: str | None
) -> Content:
    return card(
        text(lang, "probe.down.title", name=probe.name),
        _probe_fields(lang, probe),
        message(
            text(
                lang,
                "probe.down.text",
                failures=failures,
                error=error or text(lang, "none"),
            )
        ),
    )


def probe_up_card(
    lang: str, zone: ZoneInfo, probe: ProbeFacts, since: datetime | None
) -> Content:
    return card(
        text(lang, "probe.up.title", name=probe.name),
        _probe_fields(lang, probe),
        message(text(lang, "probe.up.text", since=local_time(since, zone, lang))),
    )

"""Error statistics over a period: the figures behind `/errors` and the posts.

A report covers ``[start, end)`` cut into buckets of an hour or of a local
day. One aggregate query reads the events and counts them per bucket, batch
and group; the frames a card and a chart need are summed from those counts,
so the work in Python grows with buckets, batches and groups, not events.
Buckets are cut at local midnights: across a daylight-saving change a day
holds 23 or 25 hours and is still one bar.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import ColumnElement, Select, func, literal, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from bot.store import (
    CATEGORIES,
    Batch,
    Client,
    ErrorEvent,
    ErrorGroup,
    Server,
)

PERIODS = {"24h": ("hour", 24), "7d": ("day", 7), "30d": ("day", 30)}
"""The periods of `/errors`: bucket unit and how many buckets, the last one
being the current hour or day."""
TOP_GROUPS = 5
QueryT = TypeVar("QueryT", bound=Select)


@dataclass(frozen=True)
class Filters:
    """Which batches a report looks at; a name matches regardless of case."""

    client: str | None = None
    batch: str | None = None
    server: str | None = None
    category: str | None = None

    def given(self) -> list[tuple[str, str]]:
        return [(key, value) for key, value in asdict(self).items() if value]

    @classmethod
    def from_pairs(cls, pairs: dict[str, Any]) -> Filters:
        known = {key: str(pairs[key]) for key in asdict(cls()) if pairs.get(key)}
        return cls(**known)


@dataclass(frozen=True)
class ReportSpec:
    """What a report covers: ``period`` names it (24h, 7d, 30d, week, day)."""

    period: str
    start: datetime
    end: datetime
    unit: str
    filters: Filters = field(default_factory=Filters)


def rolling_spec(
    period: str, now: datetime, zone: ZoneInfo, filters: Filters | None = None
) -> ReportSpec:
    """The current hour or day and those before it, up to ``now``.

    ``now`` is cut to the second: a chart link names the report in seconds.
    """
    now = now.replace(microsecond=0)
    unit, count = PERIODS[period]
    if unit == "hour":
        local = now.astimezone(zone).replace(minute=0, second=0, microsecond=0)
        start = local - timedelta(hours=count - 1)
    else:
        start = local_midnight(now.astimezone(zone).date(), zone, -(count - 1))
    return ReportSpec(period, start.astimezone(UTC), now, unit, filters or Filters())


def local_midnight(day: date, zone: ZoneInfo, days: int = 0) -> datetime:
    """Midnight in ``zone`` of ``day`` moved by ``days`` calendar days."""
    return datetime.combine(day + timedelta(days=days), time(0), tzinfo=zone)


def bucket_edges(spec: ReportSpec, zone: ZoneInfo) -> list[datetime]:
    """``start``, every hour or local midnight in between, and ``end``."""
    edges = [spec.start]
    if spec.unit == "hour":
        step = spec.start + timedelta(hours=1)
        while step < spec.end:
            edges.append(step)
            step += timedelta(hours=1)
    else:
        day = spec.start.astimezone(zone).date()
        step = local_midnight(day, zone, 1)
        while step < spec.end:
            edges.append(step)
            day += timedelta(days=1)
            step = local_midnight(day, zone, 1)
    edges.append(spec.end)
    return edges


@dataclass
class ErrorReport:
    """The figures of one report.

    ``per_bucket``: one row per bucket, one column per category.
    ``per_batch``: batch, client, server, category, errors; most errors first.
    ``top_groups``: batch, level, sample, errors; most errors first.
    """

    spec: ReportSpec
    edges: list[datetime]
    per_bucket: pd.DataFrame
    per_batch: pd.DataFrame
    top_groups: pd.DataFrame
    groups: int
    batches_matched: int

    @property
    def total(self) -> int:
        return int(self.per_batch["errors"].sum())


def build_report(session: Session, spec: ReportSpec, zone: ZoneInfo) -> ErrorReport:
    """Count the error events of ``spec`` per bucket, batch and group."""
    edges = bucket_edges(spec, zone)
    batches = batches_frame(session, spec.filters)
    counts = counts_frame(session, edges, spec.filters)

    groups = counts.groupby(["group_id", "batch_id"])["errors"].sum().reset_index()
    top = groups.sort_values(["errors", "group_id"], ascending=[False, True]).head(
        TOP_GROUPS
    )
    return ErrorReport(
        spec=spec,
        edges=edges,
        per_bucket=_per_bucket(counts, batches, len(edges) - 1),
        per_batch=_per_batch(counts, batches),
        top_groups=_top_groups(session, top, batches),
        groups=len(groups),
        batches_matched=len(batches),
    )


def batches_frame(session: Session, filters: Filters) -> pd.DataFrame:
    """The batches ``filters`` keep, indexed by id."""
    query = _filtered(
        select(
            Batch.id,
            Batch.name,
            func.coalesce(Client.name, "—"),
            Server.name,
            Batch.category,
        ),
        filters,
    )
    columns = ["id", "batch", "client", "server", "category"]
    return _frame(session, query, columns).set_index("id")


def _filtered(query: QueryT, filters: Filters) -> QueryT:
    query = query.join(Server, Batch.server_id == Server.id).outerjoin(
        Client, Batch.client_id == Client.id
    )
    columns = {
        "client": Client.name,
        "batch": Batch.name,
        "server": Server.name,
        "category": Batch.category,
    }
    for key, value in filters.given():
        query = query.where(func.lower(columns[key]) == value.lower())
    return query


def counts_frame(
    session: Session, edges: Sequence[datetime], filters: Filters
) -> pd.DataFrame:
    """Events per bucket, batch and group; a bucket is its left edge's index.

    The only query that reads events. One range per bucket, joined by UNION
    ALL: each part reads its own slice of the covering time index, which costs
    far less than sorting every row by a CASE on its time.
    """
    parts = [
        select(
            literal(index).label("bucket"),
            ErrorEvent.batch_id,
            ErrorEvent.group_id,
            func.count().label("errors"),
        )
        .where(*_window(start, end, filters))
        .group_by(ErrorEvent.batch_id, ErrorEvent.group_id)
        for index, (start, end) in enumerate(pairwise(edges))
    ]
    columns = ["bucket", "batch_id", "group_id", "errors"]
    return _frame(session, union_all(*parts), columns)


def _top_groups(
    session: Session, top: pd.DataFrame, batches: pd.DataFrame
) -> pd.DataFrame:
    """The most frequent groups with their batch, level and latest sample."""
    query = select(ErrorGroup.id, ErrorGroup.level, ErrorGroup.sample).where(
        ErrorGroup.id.in_(top["group_id"].tolist())
    )
    details = _frame(session, query, ["group_id", "level", "sample"])
    named = top.merge(details, on="group_id").assign(
        batch=lambda frame: batches["batch"].reindex(frame["batch_id"]).to_numpy()
    )
    columns = ["group_id", "batch", "level", "sample", "errors"]
    return named[columns].reset_index(drop=True)


def _window(
    start: datetime, end: datetime, filters: Filters
) -> list[ColumnElement[bool]]:
    conditions = [ErrorEvent.occurred_at >= start, ErrorEvent.occurred_at < end]
    if filters.given():
        kept = _filtered(select(Batch.id), filters)
        conditions.append(ErrorEvent.batch_id.in_(kept))
    return conditions


def _frame(session: Session, query: Executable, columns: list[str]) -> pd.DataFrame:
    # Plain tuples: pandas probes each row for attributes, and a SQLAlchemy
    # row answers every probe with an exception, ten times slower in all.
    rows = [tuple(row) for row in session.execute(query)]
    return pd.DataFrame(rows, columns=columns)


def _per_bucket(
    counts: pd.DataFrame, batches: pd.DataFrame, buckets: int
) -> pd.DataFrame:
    categories = batches["category"].reindex(counts["batch_id"]).to_numpy()
    table = (
        counts.assign(category=categories)
        .groupby(["bucket", "category"])["errors"]
        .sum()
        .unstack(fill_value=0)
    )
    return table.reindex(
        index=range(buckets), columns=list(CATEGORIES), fill_value=0
    ).astype(int)


def _per_batch(counts: pd.DataFrame, batches: pd.DataFrame) -> pd.DataFrame:
    totals = counts.groupby("batch_id")["errors"].sum()
    table = batches.join(totals, how="inner")
    return table.sort_values(["errors", "batch"], ascending=[False, True]).reset_index(
        drop=True
    )

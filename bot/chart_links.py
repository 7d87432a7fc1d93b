"""Signed, long-lived links to report charts: ``GET /charts/<token>.png``.

A bot cannot upload files to Zoom: a card shows an image by its URL. The
token in the URL is a JWT (HS256, ``BATCHOPS_SECRET_KEY``) that holds what the
report covers, so any instance can draw the chart again when it is asked; a
drawn chart is kept under ``var/charts`` for the next request. A tampered,
foreign or expired token gets a bare 404.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from flask import Flask, Response

from bot.charts import render_chart
from bot.config import LANGUAGES
from bot.error_report import PERIODS, ErrorReport, Filters, ReportSpec, build_report
from bot.runtime import Runtime

log = logging.getLogger(__name__)

AUDIENCE = "batchops:chart"
LINK_LIFETIME = timedelta(days=90)
MAX_TOKEN_CHARS = 2048
MAX_SPAN = timedelta(days=32)
KEPT_CHARTS = 500
REPORT_PERIODS = (*PERIODS, "week", "day")
UNITS = ("hour", "day")


def report_params(spec: ReportSpec, lang: str) -> dict[str, Any]:
    """What a chart shows, in the token's short keys; also its cache key."""
    return {
        "p": spec.period,
        "u": spec.unit,
        "s": int(spec.start.timestamp()),
        "e": int(spec.end.timestamp()),
        "f": dict(spec.filters.given()),
        "l": lang,
    }


def signing_key(secret: str) -> bytes:
    """A key for chart links alone, derived from ``BATCHOPS_SECRET_KEY``.

    Tokens signed for another purpose with the same secret never pass here,
    and the key has the 32 bytes HS256 asks for whatever the secret's length.
    """
    return hmac.new(secret.encode(), AUDIENCE.encode(), hashlib.sha256).digest()


def chart_token(spec: ReportSpec, lang: str, secret: str, now: datetime) -> str:
    claims = {
        **report_params(spec, lang),
        "aud": AUDIENCE,
        "iat": int(now.timestamp()),
        "exp": int((now + LINK_LIFETIME).timestamp()),
    }
    return jwt.encode(claims, signing_key(secret), algorithm="HS256")


def read_chart_token(
    token: str, secret: str, now: datetime
) -> tuple[ReportSpec, str] | None:
    """The report and language a token names, or None if it is not ours."""
    if len(token) > MAX_TOKEN_CHARS:
        return None
    try:
        # Expiry is checked against the injected clock, not the machine's.
        claims = jwt.decode(
            token,
            signing_key(secret),
            algorithms=["HS256"],
            audience=AUDIENCE,
            options={"verify_exp": False, "require": ["exp", "aud"]},
        )
    except jwt.InvalidTokenError:
        return None
    if not isinstance(claims["exp"], int) or claims["exp"] <= now.timestamp():
        return None
    return _spec_from(claims)


def _spec_from(claims: dict[str, Any]) -> tuple[ReportSpec, str] | None:
    try:
        start = datetime.fromtimestamp(int(claims["s"]), UTC)
        end = datetime.fromtimestamp(int(claims["e"]), UTC)
        spec = ReportSpec(
            str(claims["p"]),
            start,
            end,
            str(claims["u"]),
            Filters.from_pairs(claims["f"]),
        )
        lang = str(claims["l"])
    except (KeyError, AttributeError, TypeError, ValueError, OverflowError):
        return None
    sound = (
        spec.period in REPORT_PERIODS
        and spec.unit in UNITS
        and lang in LANGUAGES
        and timedelta(0) < end - start <= MAX_SPAN
    )
    return (spec, lang) if sound else None


def chart_url(runtime: Runtime, spec: ReportSpec, lang: str) -> str:
    secret = runtime.settings.secret_key
    token = chart_token(spec, lang, secret, runtime.clock.now())
    return f"{runtime.settings.public_base_url}/charts/{token}.png"


def chart_png(
    runtime: Runtime, spec: ReportSpec, lang: str, report: ErrorReport | None = None
) -> bytes:
    """The chart's PNG: from the cache, or drawn and kept there."""
    path = _cached(runtime, spec, lang)
    if path.exists():
        return path.read_bytes()

    zone = runtime.settings.zone
    if report is None:
        with runtime.store.session() as session:
            report = build_report(session, spec, zone)
    png = render_chart(report, zone, lang)
    _keep(path, png)
    return png


def _cached(runtime: Runtime, spec: ReportSpec, lang: str) -> Path:
    params = json.dumps(report_params(spec, lang), sort_keys=True)
    name = hashlib.sha256(params.encode()).hexdigest()[:32]
    return runtime.settings.var_dir / "charts" / f"{name}.png"


def _keep(path: Path, png: bytes) -> None:
    """Write atomically, then drop the oldest charts beyond ``KEPT_CHARTS``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "wb") as out:
        out.write(png)
    os.replace(temporary, path)

    charts = list(path.parent.glob("*.png"))
    if len(charts) > KEPT_CHARTS:
        charts.sort(key=_age_key)
        for old in charts[:-KEPT_CHARTS]:
            old.unlink(missing_ok=True)


def _age_key(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def register_chart_routes(app: Flask, runtime: Runtime) -> None:
    @app.get("/charts/<token>.png")
    def chart(token: str) -> Response:
        found = read_chart_token(
            token, runtime.settings.secret_key, runtime.clock.now()
        )
        if found is None:
            # The token itself stays out of the log: it is a credential.
            log.info("chart link refused: not signed by us, or expired")
            return Response(status=404)
        png = chart_png(runtime, *found)
        return Response(
            png,
            mimetype="image/png",
            headers={"Cache-Control": "public, max-age=86400"},
        )

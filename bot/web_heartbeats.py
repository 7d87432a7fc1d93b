"""The heartbeat endpoint: ``/ping/<uuid>`` and its ``/start``, ``/fail`` and
``/<exit code>`` variants.

GET, POST and HEAD are all accepted, so that ``curl``, ``Invoke-RestMethod``
or a bare browser can ping. Bad input gets a 4xx with a one-line reason: an
unknown uuid 404, a bad variant 400, a body over 10 kB 413.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, current_app, request

from bot.heartbeats import (
    MAX_BODY_BYTES,
    BadPing,
    Ping,
    batch_for_ping,
    read_output,
    read_signal,
    record_ping,
)
from bot.runtime import Runtime
from bot.watch import check_batches

log = logging.getLogger(__name__)

heartbeats = Blueprint("heartbeats", __name__)
METHODS = ["GET", "POST", "HEAD"]


@heartbeats.route("/ping/<token>", methods=METHODS)
@heartbeats.route("/ping/<token>/<signal>", methods=METHODS)
def receive_ping(token: str, signal: str | None = None) -> Any:
    runtime: Runtime = current_app.extensions["batchops"]
    body = _body()
    if body is None:
        return _answer(f"the body is over {MAX_BODY_BYTES} bytes", 413)
    try:
        kind, exit_code = read_signal(signal)
    except BadPing as refused:
        return _answer(str(refused), 400)

    charset = request.mimetype_params.get("charset")
    ping = Ping(kind, exit_code, read_output(body, charset))
    now = runtime.clock.now()
    with runtime.store.session() as session:
        batch = batch_for_ping(session, token)
        if batch is None:
            return _answer("no batch has this ping URL", 404)
        batch_id, name = batch.id, batch.name
        run = record_ping(session, batch_id, ping, now)
        run_id = run.id

    log.info("ping %s for %s (run %s)", kind, name, run_id)
    runtime.worker.submit(check_batches, runtime, [batch_id])
    return _answer("OK", 200)


def _body() -> bytes | None:
    """The request body, or None when it is over the limit."""
    declared = request.content_length
    if declared is not None and declared > MAX_BODY_BYTES:
        return None
    data = request.stream.read(MAX_BODY_BYTES + 1)
    return None if len(data) > MAX_BODY_BYTES else data


def _answer(text: str, status: int) -> Response:
    return Response(text + "\n", status=status, mimetype="text/plain")

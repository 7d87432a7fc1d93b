"""The Flask app: Zoom's webhook endpoint and the health check."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bot import webhook
from bot.chart_links import register_chart_routes
from bot.events import handle_action, handle_command
from bot.exports import register_export_routes
from bot.runtime import Runtime
from bot.store import WebhookDelivery
from bot.web_heartbeats import heartbeats

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024
HANDLERS = {
    "bot_notification": handle_command,
    "interactive_message_actions": handle_action,
}


def create_app(runtime: Runtime) -> Flask:
    app = Flask("batchops")
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.extensions["batchops"] = runtime
    app.register_blueprint(heartbeats)

    @app.post("/zoom/events")
    def zoom_events() -> Any:
        return receive_zoom_event(runtime)

    @app.get("/healthz")
    def healthz() -> Any:
        return check_health(runtime)

    register_export_routes(app, runtime)
    register_chart_routes(app, runtime)
    return app


def check_health(runtime: Runtime) -> Any:
    """200 when the database answers, 503 otherwise (for the load balancer)."""
    try:
        with runtime.store.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        log.error("health check: database unreachable: %s", type(error).__name__)
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


def receive_zoom_event(runtime: Runtime) -> Any:
    """Verify, acknowledge at once, and leave the slow part to the worker."""
    body = request.get_data(cache=False)
    timestamp = request.headers.get("x-zm-request-timestamp")
    secret = runtime.settings.zoom_secret_token or ""
    signature = request.headers.get("x-zm-signature")
    if not webhook.verify_signature(secret, timestamp, body, signature):
        return Response(status=401)
    if not webhook.is_fresh(timestamp, runtime.clock.now()):
        return Response(status=401)

    event = _parse(body)
    if event is None:
        return jsonify(error="the body is not a JSON object with an event"), 400

    name = event["event"]
    if name == "endpoint.url_validation":
        plain = event.get("payload", {}).get("plainToken")
        if not isinstance(plain, str) or not plain:
            return jsonify(error="payload.plainToken is missing"), 400
        return jsonify(webhook.url_validation_answer(secret, plain))

    handler = HANDLERS.get(name)
    if handler is None:
        log.info("zoom event %s ignored", name)
        return jsonify(status="ignored")
    if not _first_delivery(runtime, name, body):
        log.info("zoom event %s delivered again, ignored", name)
        return jsonify(status="duplicate")

    runtime.worker.submit(handler, runtime, event["payload"])
    return jsonify(status="accepted")


def _parse(body: bytes) -> dict[str, Any] | None:
    try:
        event = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(event, dict) or not isinstance(event.get("event"), str):
        return None
    if not isinstance(event.get("payload", {}), dict):
        return None
    return event


def _first_delivery(runtime: Runtime, name: str, body: bytes) -> bool:
    """Record the delivery; False when the same event was already taken in."""
    key = hashlib.sha256(body).hexdigest()
    try:
        with runtime.store.session() as session:
            session.add(
                WebhookDelivery(key=key, event=name, received_at=runtime.clock.now())
            )
    except IntegrityError:
        return False
    return True

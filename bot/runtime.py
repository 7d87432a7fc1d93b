"""What a running batchops holds: settings, store, clock, messenger, servers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from threading import Lock
from typing import Any

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.messenger import Messenger, OutboxMessenger, ZoomMessenger
from bot.store import Server, Store
from integrations.session import ServerSession

log = logging.getLogger(__name__)

SessionOpener = Callable[[Server], ServerSession]


class EventWorker:
    """Runs slow work after the webhook has answered Zoom."""

    def __init__(self, max_workers: int = 4) -> None:
        self._pool = ThreadPoolExecutor(max_workers, thread_name_prefix="event")
        self._pending: set[Future[Any]] = set()
        self._lock = Lock()

    def submit(self, func: Callable[..., Any], *args: Any) -> None:
        future = self._pool.submit(func, *args)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)
        if future.exception() is not None:
            log.error("event handler failed", exc_info=future.exception())

    def drain(self, timeout: float = 30.0) -> None:
        """Wait for the work submitted so far (tests, shutdown)."""
        with self._lock:
            pending = list(self._pending)
        for future in pending:
            future.exception(timeout=timeout)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)


@dataclass
class Runtime:
    settings: Settings
    store: Store
    clock: Clock
    messenger: Messenger
    open_session: SessionOpener
    worker: EventWorker = field(default_factory=EventWorker)

    @property
    def alert_channel(self) -> str:
        return self.settings.zoom_alert_channel_jid or "alerts@outbox"


def build_runtime(
    settings: Settings,
    *,
    clock: Clock | None = None,
    echo: Callable[[str], None] | None = None,
    open_session: SessionOpener | None = None,
    zoom_http: Any = None,
) -> Runtime:
    """Wire the real components from ``settings``."""
    from integrations.servers import open_server_session

    clock = clock or SystemClock()
    store = Store(settings.database_url)
    return Runtime(
        settings=settings,
        store=store,
        clock=clock,
        messenger=_messenger(settings, store, clock, echo, zoom_http),
        open_session=open_session or open_server_session,
    )


def _messenger(
    settings: Settings,
    store: Store,
    clock: Clock,
    echo: Callable[[str], None] | None,
    zoom_http: Any,
) -> Messenger:
    if not settings.zoom_enabled:
        return OutboxMessenger(store, clock, echo)

    from integrations.zoom import ZoomClient

    client_id, client_secret, bot_jid, account_id = settings.zoom_credentials()
    client = ZoomClient(
        client_id=client_id,
        client_secret=client_secret,
        bot_jid=bot_jid,
        account_id=account_id,
        api_url=settings.zoom_api_url,
        oauth_url=settings.zoom_oauth_url,
        clock=clock,
        http=zoom_http,
    )
    return ZoomMessenger(client)

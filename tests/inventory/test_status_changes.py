"""Status changes: appended and never edited, told once to the right people."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from bot.messenger import OutboxMessenger, render_text
from bot.status_changes import notify_status_changes, record_status_change
from bot.store import Batch, Client, Server, StatusChange, StatusNotice, table
from integrations.zoom import ZoomError, validate_content
from tests.inventory.support import cards_to, sent_cards

MANAGER = "pm-claire@xmpp.zoom.us"
CHANNEL = "alerts@outbox"


@pytest.fixture
def batches(runtime) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Two Horizon batches (project manager Claire) and one of a client without."""
    with runtime.store.session() as session:
        server = Server(name="SRV-ORDO-01", kind="local", root="/tmp/none")
        horizon = Client(name="Horizon", project_manager_jid=MANAGER)
        littoral = Client(name="Littoral")
        made = [
            Batch(name="ExportCompta", server=server, client=horizon),
            Batch(name="PurgeRGPD", server=server, client=horizon),
            Batch(name="EnvoiMails", server=server, client=littoral),
        ]
        session.add_all(made)
        session.flush()
        return {batch.name: batch.id for batch in made}


def change(runtime, batch_id: int, to_state: str, who: str = "Jill") -> None:  # type: ignore[no-untyped-def]
    with runtime.store.session() as session:
        batch = session.get_one(Batch, batch_id)
        record_status_change(
            session, batch, to_state, who, "maintenance", "chat", runtime.clock.now()
        )


def test_it_tells_the_manager_once_per_change(runtime, batches) -> None:
    change(runtime, batches["ExportCompta"], "disabled")

    notify_status_changes(runtime)
    notify_status_changes(runtime)
    runtime.clock.advance(timedelta(hours=1))
    notify_status_changes(runtime)

    [told] = cards_to(runtime.store, MANAGER)
    assert "Vos batchs : 1 changement(s) d'état" in told
    assert "ExportCompta (SRV-ORDO-01, Horizon) : prêt → désactivé" in told
    assert "depuis le chat — Jill, le 04/12/2026 10:30:00 CET" in told
    assert "Vous recevez ce message en tant que chef de projet de : Horizon." in told
    assert len(cards_to(runtime.store, CHANNEL)) == 1


def test_it_groups_the_changes_that_come_at_once(runtime, batches) -> None:
    for name in batches:
        change(runtime, batches[name], "disabled")

    report = notify_status_changes(runtime)

    assert report.messages_sent == 2
    [told] = cards_to(runtime.store, MANAGER)
    assert "ExportCompta" in told and "PurgeRGPD" in told
    assert "EnvoiMails" not in told
    [channel] = cards_to(runtime.store, CHANNEL)
    assert "Changements d'état des batchs : 3" in channel
    assert "Faits depuis le chat" in channel


def test_it_records_nothing_when_the_batch_is_already_in_that_state(
    runtime, batches
) -> None:
    change(runtime, batches["ExportCompta"], "ready")

    assert notify_status_changes(runtime).messages_sent == 0
    with runtime.store.session() as session:
        assert session.scalars(select(StatusChange)).all() == []


def test_it_records_from_the_state_another_path_set_meanwhile(runtime, batches) -> None:
    with runtime.store.session() as session:
        batch = session.get_one(Batch, batches["ExportCompta"])
        assert batch.state == "ready"
        # Another path moves the batch behind this session's back; on SQLite
        # that can only happen inside the same transaction, so do it there.
        session.connection().execute(
            update(table(Batch))
            .where(table(Batch).c.id == batch.id)
            .values(state="inactive")
        )
        session.add(
            StatusChange(
                batch_id=batch.id,
                from_state="ready",
                to_state="inactive",
                changed_by="sync",
                changed_at=runtime.clock.now(),
                reason="",
                source="detected",
            )
        )
        session.flush()

        record_status_change(
            session, batch, "disabled", "Jill", "", "chat", runtime.clock.now()
        )

    with runtime.store.session() as session:
        moves = session.execute(
            select(StatusChange.from_state, StatusChange.to_state).order_by(
                StatusChange.id
            )
        ).all()
        assert [tuple(m) for m in moves] == [
            ("ready", "inactive"),
            ("inactive", "disabled"),
        ]
        assert session.get_one(Batch, batches["ExportCompta"]).state == "disabled"


def test_the_database_refuses_to_edit_a_status_change(runtime, batches) -> None:
    change(runtime, batches["ExportCompta"], "disabled")

    with pytest.raises(DBAPIError, match="append-only"):
        with runtime.store.session() as session:
            session.execute(update(StatusChange).values(reason="nothing happened"))
    with pytest.raises(DBAPIError, match="append-only"):
        with runtime.store.session() as session:
            session.execute(text("UPDATE status_changes SET changed_by = 'someone'"))


class FailingMessenger(OutboxMessenger):
    """The outbox, but Zoom refuses the next ``failures`` cards."""

    def __init__(self, runtime, failures: int, retryable: bool) -> None:  # type: ignore[no-untyped-def]
        super().__init__(runtime.store, runtime.clock)
        self.failures = failures
        self.retryable = retryable

    def send(self, to_jid, content, *, user_jid=None) -> str:  # type: ignore[no-untyped-def]
        if self.failures:
            self.failures -= 1
            raise ZoomError("Zoom is unavailable", self.retryable, 503)
        return super().send(to_jid, content, user_jid=user_jid)


def test_it_tells_again_what_zoom_did_not_take(runtime, batches) -> None:
    change(runtime, batches["ExportCompta"], "disabled")
    runtime.messenger = FailingMessenger(runtime, failures=2, retryable=True)

    first = notify_status_changes(runtime)
    second = notify_status_changes(runtime)

    assert first.messages_sent == 0
    assert len(first.failures) == 2
    assert second.messages_sent == 2
    assert len(cards_to(runtime.store, MANAGER)) == 1
    assert notify_status_changes(runtime).messages_sent == 0


def test_it_gives_up_on_what_zoom_refuses_for_good(runtime, batches) -> None:
    change(runtime, batches["ExportCompta"], "disabled")
    runtime.messenger = FailingMessenger(runtime, failures=1, retryable=False)

    notify_status_changes(runtime)
    notify_status_changes(runtime)

    with runtime.store.session() as session:
        states = sorted(session.scalars(select(StatusNotice.state)))
    assert states == ["failed", "sent"]
    assert len(sent_cards(runtime.store)) == 1


def test_it_leaves_a_claimed_notice_to_its_sender_until_the_claim_is_old(
    runtime, batches
) -> None:
    change(runtime, batches["ExportCompta"], "disabled")
    with runtime.store.session() as session:
        session.execute(
            update(StatusNotice).values(claim="a" * 32, claimed_at=runtime.clock.now())
        )

    runtime.clock.advance(timedelta(minutes=9))
    assert notify_status_changes(runtime).messages_sent == 0
    runtime.clock.advance(timedelta(minutes=2))
    assert notify_status_changes(runtime).messages_sent == 2


def test_it_shows_the_history_of_a_batch_newest_first(runtime, batches) -> None:
    from bot import router

    change(runtime, batches["ExportCompta"], "disabled")
    runtime.clock.advance(timedelta(hours=2))
    change(runtime, batches["ExportCompta"], "ready", who="Paul")

    request = router.Request(
        text="/batch history exportcompta", user_id="u", user_name="u", to_jid="t"
    )
    card = router.dispatch(runtime, request)

    assert validate_content(card) == []
    shown = render_text(card)
    assert shown.index("désactivé → prêt — Paul") < shown.index("prêt → désactivé")
    assert "04/12/2026 12:30:00 CET" in shown


def test_it_suggests_a_batch_name_close_to_an_unknown_one(runtime, batches) -> None:
    from bot import router

    request = router.Request(
        text="history ExportCompte", user_id="u", user_name="u", to_jid="t"
    )
    shown = render_text(router.dispatch(runtime, request))
    assert "Aucun batch « ExportCompte » dans l'inventaire." in shown
    assert "Vouliez-vous dire « ExportCompta » ?" in shown

"""probe: check an API probe now, with its last 24 h of latency."""

from __future__ import annotations

from bot.cards import watch as cards
from bot.probes import (
    HISTORY,
    planned,
    probe_history,
    probe_named,
    probes_of,
    run_probe,
)
from bot.router import Content, Context, Refusal, command
from bot.texts import text


@command("probe")
def check_probe_now(ctx: Context) -> Content:
    """Check an API probe now and show the result with its last 24 h of latency.

    `probe NAME`. Probes are declared with `batchops probes add`; the probe
    job checks each one at its interval and posts a card when an API goes
    down (several failed checks in a row) and when it comes back.
    """
    name = " ".join(ctx.request.args)
    if not name:
        raise Refusal(text(ctx.lang, "probe.usage"))

    runtime = ctx.runtime
    with runtime.store.session() as session:
        probe = probe_named(session, name)
        if probe is None:
            known = ", ".join(p.name for p in probes_of(session))
            names = known or text(ctx.lang, "probe.none")
            raise Refusal(text(ctx.lang, "probe.unknown", name=name, names=names))
        plan = planned(probe)

    check = run_probe(runtime, plan)
    with runtime.store.session() as session:
        history = probe_history(session, plan.probe_id, check.checked_at - HISTORY)
    return cards.probe_result_card(
        ctx.lang, runtime.settings.zone, plan.facts, check, history
    )

"""help: list the commands and what each one does."""

from __future__ import annotations

from bot import cards
from bot.router import COMMANDS, Content, Context, command, suggest


@command("help")
def show_help(ctx: Context) -> Content:
    """List the commands. `help COMMAND` shows one command's whole help."""
    if ctx.request.args:
        wanted = ctx.request.args[0].lower().lstrip("/")
        found = COMMANDS.get(wanted)
        if found is None:
            return cards.unknown_command(ctx.lang, wanted, suggest(wanted))
        return cards.help_card(ctx.lang, [(found.name, found.help)])

    summaries = [
        (name, COMMANDS[name].help.split("\n", 1)[0]) for name in sorted(COMMANDS)
    ]
    return cards.help_card(ctx.lang, summaries)

"""One command router for Zoom and the terminal.

``/batch status``, ``batch status`` and ``status`` reach the same command;
so do ``/errors 24h`` and ``errors 24h``. Commands live in ``commands/``, one
module each, registered with :func:`command`; a command's docstring is its
help text. Button clicks are routed the same way by the prefix of their value
(``ack:12``) to handlers registered with :func:`action`.
"""

from __future__ import annotations

import difflib
import importlib
import logging
import pkgutil
import shlex
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot import cards
from bot.texts import text

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

Content = dict[str, Any]
SLASH_COMMAND = "batch"
MAX_COMMAND_CHARS = 1000
"""Longer than any command a person types: beyond, a paste gone wrong."""


class Refusal(Exception):
    """A command declines; its text goes to the person as written."""


@dataclass
class Request:
    """Who asked what, and where the answer goes."""

    text: str
    user_id: str
    user_name: str
    to_jid: str
    user_jid: str | None = None
    account_id: str | None = None
    channel_name: str | None = None
    source: str = "chat"
    args: list[str] = field(default_factory=list)
    message_id: str | None = None
    """The card a button was clicked on, to edit it while the click runs."""


@dataclass
class Context:
    runtime: Runtime
    request: Request

    @property
    def lang(self) -> str:
        return self.runtime.settings.lang


CommandFunc = Callable[[Context], Content]


@dataclass(frozen=True)
class Command:
    name: str
    func: CommandFunc
    help: str


COMMANDS: dict[str, Command] = {}
ACTIONS: dict[str, Callable[[Context, str, Content], Content | None]] = {}


def command(name: str) -> Callable[[CommandFunc], CommandFunc]:
    """Register a chat command under ``name``; its docstring is its help."""

    def register(func: CommandFunc) -> CommandFunc:
        COMMANDS[name] = Command(name, func, (func.__doc__ or "").strip())
        return func

    return register


def action(
    prefix: str,
) -> Callable[
    [Callable[[Context, str, Content], Content | None]],
    Callable[[Context, str, Content], Content | None],
]:
    """Register a button handler for values ``prefix:argument``."""

    def register(
        func: Callable[[Context, str, Content], Content | None],
    ) -> Callable[[Context, str, Content], Content | None]:
        ACTIONS[prefix] = func
        return func

    return register


def load_commands() -> None:
    """Import every module of ``commands/`` so that each registers itself."""
    import commands

    for module in pkgutil.iter_modules(commands.__path__):
        importlib.import_module(f"commands.{module.name}")


def split_command(text: str) -> tuple[str, list[str]]:
    """The command word and its arguments, slash and bot name removed."""
    try:
        words = shlex.split(text.strip())
    except ValueError:
        words = text.strip().split()
    if words and words[0].startswith("/"):
        words[0] = words[0][1:]
    if words and words[0].lower() == SLASH_COMMAND:
        words = words[1:]
    if not words:
        return "help", []
    return words[0].lower(), words[1:]


def dispatch(runtime: Runtime, request: Request) -> Content:
    """Run the command ``request.text`` names and return the reply card."""
    if len(request.text) > MAX_COMMAND_CHARS:
        return cards.refusal(
            runtime.settings.lang,
            text(runtime.settings.lang, "command.too_long", limit=MAX_COMMAND_CHARS),
        )
    name, args = split_command(request.text)
    request.args = args
    found = COMMANDS.get(name)
    if found is None:
        return cards.unknown_command(runtime.settings.lang, name, suggest(name))
    return _guarded(runtime, request, lambda ctx: found.func(ctx))


@dataclass(frozen=True)
class ActionReply:
    """What a click gives: the card edited in place, or a new message."""

    card: Content
    replaces_original: bool


def dispatch_action(
    runtime: Runtime, request: Request, value: str, original: Content
) -> ActionReply | None:
    """Run the button handler ``value`` names.

    A refusal or an apology goes out as a new message, so that the card the
    button was on stays as it was for the others in the channel.
    """
    prefix, _, argument = value.partition(":")
    handler = ACTIONS.get(prefix)
    if handler is None:
        log.warning("button with unknown value prefix %r ignored", prefix)
        return None
    outcome: list[Content | None] = []
    reply = _guarded(
        runtime,
        request,
        lambda ctx: outcome.append(handler(ctx, argument, original)),
    )
    if outcome:
        edited = outcome[0]
        return None if edited is None else ActionReply(edited, True)
    return ActionReply(reply, False)


def _guarded(runtime: Runtime, request: Request, run: Callable[[Context], Any]) -> Any:
    context = Context(runtime, request)
    try:
        return run(context)
    except Refusal as refusal:
        return cards.refusal(runtime.settings.lang, str(refusal))
    except Exception:
        ref = uuid.uuid4().hex[:8]
        log.exception("command %r failed (ref %s)", request.text[:80], ref)
        return cards.apology(runtime.settings.lang, ref)


def suggest(word: str) -> str | None:
    matches = difflib.get_close_matches(word, list(COMMANDS), n=1, cutoff=0.5)
    return matches[0] if matches else None

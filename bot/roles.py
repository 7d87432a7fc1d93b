"""Roles: what a Zoom user may do through batchops.

``viewer`` reads (status, inventory, history, errors) and acknowledges
alerts; ``operator`` may also disable and enable batches, silence alerts and
sync scheduled tasks; ``admin`` may also deploy and import. A role is granted
to a Zoom user id (the ``userId`` of Zoom's events) or to a user's JID, with
``batchops users grant``. Anyone without a grant is a viewer: the team's
channel is where they already read everything the bot posts.

Zoom and ``batchops chat --as USER`` go through the same checks. The other
``batchops`` commands are not checked: whoever runs them on the host is
trusted with the database already.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.router import Context, Refusal, Request
from bot.runtime import Runtime
from bot.store import ROLES, User
from bot.texts import text

log = logging.getLogger(__name__)

DEFAULT_ROLE = "viewer"


def rank(role: str) -> int:
    """Where a role stands: each may do all that those below it may."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    return ROLES.index(role)


def role_of(session: Session, *identities: str | None) -> str:
    """The highest role granted to any of a person's identities."""
    keys = [identity for identity in identities if identity]
    if not keys:
        return DEFAULT_ROLE
    roles = session.scalars(select(User.role).where(User.zoom_user.in_(keys)))
    return max(roles, key=rank, default=DEFAULT_ROLE)


def request_role(runtime: Runtime, request: Request) -> str:
    with runtime.store.session() as session:
        return role_of(session, request.user_id, request.user_jid)


def require_role(ctx: Context, needed: str) -> str:
    """The asker's role, or a :class:`Refusal` naming the role ``needed``."""
    role = request_role(ctx.runtime, ctx.request)
    if rank(role) >= rank(needed):
        return role

    log.info(
        "refused %r to %s: %s needed, has %s",
        ctx.request.text[:40],
        ctx.request.user_id,
        needed,
        role,
    )
    raise Refusal(
        text(
            ctx.lang,
            "role.refused",
            needed=text(ctx.lang, f"role.{needed}"),
            role=text(ctx.lang, f"role.{role}"),
            user=ctx.request.user_id,
            needed_id=needed,
        )
    )


def grant_role(
    session: Session,
    zoom_user: str,
    role: str,
    granted_by: str,
    now: datetime,
    name: str | None = None,
) -> User:
    """Give ``zoom_user`` (a Zoom user id or JID) ``role``, replacing any other."""
    rank(role)
    user = session.scalar(select(User).where(User.zoom_user == zoom_user))
    if user is None:
        user = User(zoom_user=zoom_user)
        session.add(user)
    user.role = role
    user.name = name or user.name
    user.granted_by = granted_by
    user.granted_at = now
    log.info("role %s granted to %s by %s", role, zoom_user, granted_by)
    return user


def revoke_role(session: Session, zoom_user: str) -> bool:
    """Take back ``zoom_user``'s grant; False when there was none."""
    user = session.scalar(select(User).where(User.zoom_user == zoom_user))
    if user is None:
        return False
    session.delete(user)
    log.info("role of %s revoked", zoom_user)
    return True


def granted_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.role, User.zoom_user)))

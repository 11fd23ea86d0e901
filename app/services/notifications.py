"""Notifications (the seed's NotifyUser): stored, streamed, and POSTed to webhooks.

Every state change of an agent is a row; the SSE stream reads those rows (so it
works the same on any replica, in either mode), and a webhook delivery is a
signed POST retried with back-off. Signature: `X-Signature: t=<unix>,v1=<hex>`
where hex = HMAC-SHA256(user's webhook secret, f"{t}.{body}") — timestamped so a
captured delivery cannot be replayed later.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from app.db import after_commit
from app.errors import Unprocessable
from app.models import Agent, Notification, User
from app.models.agents import FINAL_STATES
from app.models.base import utcnow

logger = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Signature"


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    stamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def verify(secret: str, body: bytes, header: str, tolerance_s: int = 300) -> bool:
    """What a receiver does: recompute, compare in constant time, reject stale stamps."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        stamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - stamp) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, body, stamp), header)


def _is_private(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return not ip.is_global or ip.is_multicast


def check_callback_url(url: str, allow_private: bool) -> None:
    """Refuse obviously internal targets at creation (literal IPs, localhost)."""
    host = urlsplit(url).hostname or ""
    if allow_private:
        return
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        raise Unprocessable.field(["body", "callback_url"], "callback_url must be a public address")
    try:
        if _is_private(host):
            raise Unprocessable.field(
                ["body", "callback_url"],
                "callback_url must not point at a private or loopback address",
            )
    except ValueError:
        pass  # a name: resolved and checked again at delivery


async def _resolves_public(host: str) -> bool:
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        return False
    return bool(infos) and not any(_is_private(str(info[4][0])) for info in infos)


async def deliver(
    client: httpx.AsyncClient,
    url: str,
    secret: str,
    payload: dict[str, Any],
    *,
    allow_private: bool,
    max_attempts: int,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> bool:
    """POST the event, signed; retry 5xx/429/transport errors with exponential back-off."""
    host = urlsplit(url).hostname or ""
    if not allow_private and not await _resolves_public(host):
        logger.warning("refused webhook to a private or unresolvable address")
        return False
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    for attempt in range(max_attempts):
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(secret, body),
            "User-Agent": "ai-trading-platform-webhooks",
        }
        try:
            response = await client.post(url, content=body, headers=headers)
            if response.status_code < 300:
                return True
            if response.status_code < 500 and response.status_code != 429:
                return False  # the receiver refused it; retrying will not help
        except httpx.HTTPError:
            pass
        if attempt + 1 < max_attempts:
            await sleep(min(2.0**attempt, 60.0))
    return False


class Notifier:
    """Stores each state change and, after commit, delivers its webhook in the background."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        client: httpx.AsyncClient,
        *,
        allow_private: bool,
        max_attempts: int,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._client = client
        self._allow_private = allow_private
        self._max_attempts = max_attempts
        self._tasks: set[asyncio.Task[None]] = set()

    async def emit(
        self,
        session: AsyncSession,
        agent: Agent,
        state: str,
        **extra: Any,
    ) -> Notification:
        payload: dict[str, Any] = {
            "agent_id": str(agent.id),
            "agent_name": agent.name,
            "symbol": agent.symbol,
            "status": str(state),
            **extra,
        }
        note = Notification(
            user_id=agent.user_id,
            agent_id=agent.id,
            event=f"agent.{state}".lower(),
            payload=payload,
        )
        session.add(note)
        await session.flush()
        if agent.callback_url:
            url, user_id = agent.callback_url, agent.user_id
            body = {
                "event": note.event,
                "id": note.id,
                "created_at": note.created_at.isoformat(),
                **payload,
            }

            async def start() -> None:
                task = asyncio.create_task(self._send(url, user_id, note.id, body))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

            after_commit(session, start)
        return note

    async def _send(
        self, url: str, user_id: uuid.UUID, note_id: int | None, body: dict[str, Any]
    ) -> None:
        try:
            async with self._sessionmaker() as session:
                user = await session.get(User, user_id)
                if user is None:
                    return
                secret = user.webhook_secret
            if await deliver(
                self._client,
                url,
                secret,
                body,
                allow_private=self._allow_private,
                max_attempts=self._max_attempts,
            ):
                async with self._sessionmaker() as session:
                    await session.execute(
                        update(Notification)
                        .where(col(Notification.id) == note_id)
                        .values(delivered_at=utcnow())
                    )
                    await session.commit()
        except Exception as exc:  # a webhook must never take its caller down
            logger.warning("webhook delivery failed: %s", type(exc).__name__)

    async def drain(self, timeout_s: float = 5.0) -> None:
        """Let in-flight deliveries finish (on shutdown, and in tests)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout_s)


async def page(
    session: AsyncSession,
    user: User,
    *,
    limit: int,
    before: int | None = None,
    unread_only: bool = False,
    agent_id: uuid.UUID | None = None,
) -> tuple[list[Notification], str | None]:
    query = select(Notification).where(col(Notification.user_id) == user.id)
    if unread_only:
        query = query.where(col(Notification.read_at).is_(None))
    if agent_id:
        query = query.where(col(Notification.agent_id) == agent_id)
    if before is not None:
        query = query.where(col(Notification.id) < before)
    rows = list(
        (await session.scalars(query.order_by(col(Notification.id).desc()).limit(limit + 1))).all()
    )
    next_cursor = str(rows[limit - 1].id) if len(rows) > limit else None
    return rows[:limit], next_cursor


async def mark_read(session: AsyncSession, user: User, ids: list[int] | None) -> int:
    query = (
        update(Notification)
        .where(col(Notification.user_id) == user.id)
        .where(col(Notification.read_at).is_(None))
    )
    if ids is not None:
        query = query.where(col(Notification.id).in_(ids))
    result = await session.execute(query.values(read_at=utcnow()))
    return int(getattr(result, "rowcount", 0) or 0)


async def since(session: AsyncSession, agent_id: uuid.UUID, after_id: int) -> list[Notification]:
    return list(
        (
            await session.scalars(
                select(Notification)
                .where(col(Notification.agent_id) == agent_id)
                .where(col(Notification.id) > after_id)
                .order_by(col(Notification.id))
            )
        ).all()
    )


async def follow(
    sessionmaker: async_sessionmaker[AsyncSession],
    agent_id: uuid.UUID,
    after_id: int,
    poll_s: float,
    keep_alive_s: float = 15.0,
) -> AsyncIterator[Notification | None]:
    """An agent's notifications after `after_id`, past then future; ends after a final
    state. Polls the table (so any replica can serve it) with a fresh session each
    time, and yields None after `keep_alive_s` of silence so an idle stream stays open."""
    last, idle = after_id, 0.0
    while True:
        async with sessionmaker() as session:
            rows = await since(session, agent_id, last)
        for note in rows:
            last = note.id or last
            yield note
            if note.payload.get("status") in FINAL_STATES:
                return
        if rows:
            idle = 0.0
        else:
            idle += poll_s
            if idle >= keep_alive_s:
                idle = 0.0
                yield None
        await asyncio.sleep(poll_s)

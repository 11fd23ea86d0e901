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
import math
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from app.db import after_commit
from app.errors import Unprocessable
from app.models import Agent, AgentVersion, Notification, User
from app.models.agents import FINAL_STATES, AgentStatus
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


# IPv6 prefixes that carry an IPv4 address a gateway or the host itself may reach:
# NAT64 (64:ff9b::/96, 64:ff9b:1::/48), 6to4 (2002::/16), IPv4-compatible (::/96).
_EMBEDDING_NETWORKS = tuple(
    ipaddress.ip_network(net) for net in ("64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "::/96")
)
_INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa")


def _is_private(address: str) -> bool:
    """True for anything but a public unicast address (ValueError when not an address)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone is never public
    if "%" in address:
        return True
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif any(ip in net for net in _EMBEDDING_NETWORKS):
            return True
    return not ip.is_global or ip.is_multicast


def _host_of(url: str) -> str:
    """The URL's host, lower-cased, without the root label's trailing dot."""
    return (urlsplit(url).hostname or "").rstrip(".").lower()


# Names the setting (app/config.py `allow_private_callbacks`) that lifts the refusal.
_ALLOW_HINT = " (ALLOW_PRIVATE_CALLBACKS=true allows it, e.g. for a local test receiver)"


def check_callback_url(url: str, allow_private: bool) -> None:
    """Refuse obviously internal targets at creation (literal IPs, localhost)."""
    host = _host_of(url)
    if allow_private:
        return
    if not host or host == "localhost" or host.endswith(_INTERNAL_SUFFIXES):
        raise Unprocessable.field(
            ["body", "callback_url"], f"callback_url must be a public address{_ALLOW_HINT}"
        )
    try:
        if _is_private(host):
            raise Unprocessable.field(
                ["body", "callback_url"],
                f"callback_url must not point at a private or loopback address{_ALLOW_HINT}",
            )
    except ValueError:
        pass  # a name: resolved and checked again at every delivery attempt


async def _resolve(host: str, port: int) -> list[str]:
    """Every address the name resolves to (the system resolver); [] when it does not."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return []
    return [str(info[4][0]) for info in infos]


async def _vetted_address(host: str, port: int, allow_private: bool) -> str | None:
    """The one address this attempt connects to: every answer must be public (a name
    that also resolves to an internal address is refused), else None."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        addresses = await _resolve(host, port)
    else:
        addresses = [host]
    if not addresses:
        return None
    if not allow_private and any(_is_private(address) for address in addresses):
        return None
    return addresses[0]


def _pinned(url: httpx.URL, address: str) -> tuple[httpx.URL, dict[str, str], dict[str, Any]]:
    """The URL with the vetted address for host, and the Host header and TLS server name
    (SNI, and the name the certificate is checked against) of the original name: the
    connection goes to the address that passed the check, never to a second lookup."""
    name = url.raw_host.decode("ascii")  # IDNA-encoded
    try:
        ipaddress.ip_address(name)
    except ValueError:
        pass
    else:
        return url, {}, {}  # a literal address: nothing to resolve, nothing to pin
    host_header = name if url.port is None else f"{name}:{url.port}"
    extensions: dict[str, Any] = {}
    if url.scheme == "https":
        extensions["sni_hostname"] = name.rstrip(".")
    # The pool keys connections by address: one opened (and its certificate checked)
    # for another name must not carry this one.
    headers = {"Host": host_header, "Connection": "close"}
    return url.copy_with(host=address), headers, extensions


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
    """POST the event, signed; retry 5xx/429/transport errors with exponential back-off.

    Each attempt resolves the host, checks every answer and connects to the vetted
    address itself (DNS rebinding cannot swap in an internal one between the check
    and the connection, nor between attempts)."""
    target = httpx.URL(url)
    if target.scheme not in ("http", "https") or not target.host:
        return False
    host = target.host.rstrip(".").lower()
    port = target.port or (443 if target.scheme == "https" else 80)
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    for attempt in range(max_attempts):
        address = await _vetted_address(host, port, allow_private)
        if address is None:
            logger.warning("refused webhook to a private or unresolvable address")
            return False
        pinned_url, pinned_headers, extensions = _pinned(target, address)
        headers = {
            **pinned_headers,
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(secret, body),
            "User-Agent": "ai-trading-platform-webhooks",
        }
        try:
            request = client.build_request(
                "POST", pinned_url, content=body, headers=headers, extensions=extensions
            )
            response = await client.send(request, follow_redirects=False)
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
        version: AgentVersion | None = None,
        **extra: Any,
    ) -> Notification:
        """Store the event (and deliver its webhook after commit). An event of a training
        run names its version: a retrain's events are told from the first run's."""
        payload: dict[str, Any] = {
            "agent_id": str(agent.id),
            "agent_name": agent.name,
            "symbol": agent.symbol,
            "status": str(state),
            **extra,
        }
        if version is not None:
            payload["version_id"] = str(version.id)
            payload["version"] = version.number
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
    event: str | None = None,
) -> tuple[list[Notification], str | None]:
    query = select(Notification).where(col(Notification.user_id) == user.id)
    if event:
        query = query.where(col(Notification.event) == event)
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


class StreamSlots:
    """Open event streams per user on this replica: each holds a connection and polls
    the database, so one user may not open them without bound."""

    def __init__(self, per_user: int) -> None:
        self.per_user = per_user
        self._open: dict[uuid.UUID, int] = {}

    def acquire(self, user_id: uuid.UUID) -> Callable[[], None] | None:
        """A release function (safe to call more than once), or None when all are taken."""
        if self._open.get(user_id, 0) >= self.per_user:
            return None
        self._open[user_id] = self._open.get(user_id, 0) + 1
        released = False

        def release() -> None:
            nonlocal released
            if released:
                return
            released = True
            left = self._open.get(user_id, 1) - 1
            if left > 0:
                self._open[user_id] = left
            else:
                self._open.pop(user_id, None)

        return release

    def open_for(self, user_id: uuid.UUID) -> int:
        return self._open.get(user_id, 0)


@dataclass(frozen=True)
class Progress:
    """An epoch's progress while the agent trains (`agent.progress`): read from the
    agent's row, which the training job updates, and streamed but never stored (a row
    per epoch per agent would bury the state changes in the notification list)."""

    payload: dict[str, Any]
    event: str = "agent.progress"


async def finished(session: AsyncSession, agent_id: uuid.UUID, seen_id: int) -> bool:
    """True when the client has already seen (`seen_id`, its Last-Event-ID) the agent's
    newest notification and it is a final state: nothing more will come."""
    newest = await session.scalar(
        select(Notification)
        .where(col(Notification.agent_id) == agent_id)
        .order_by(col(Notification.id).desc())
        .limit(1)
    )
    return (
        newest is not None
        and (newest.id or 0) <= seen_id
        and newest.payload.get("status") in FINAL_STATES
    )


async def follow(
    sessionmaker: async_sessionmaker[AsyncSession],
    agent_id: uuid.UUID,
    after_id: int,
    poll_s: float,
    keep_alive_s: float = 15.0,
    still_authorised: Callable[[], Awaitable[bool]] | None = None,
    progress_interval_s: float | None = None,
) -> AsyncIterator[Notification | Progress | None]:
    """An agent's notifications after `after_id`, past then future; ends after a final
    state (one that is the newest notification: a retrained agent's history goes on
    past its first READY) or once the agent is deleted. Polls the tables (so any
    replica can serve it) with a fresh session each time, and yields None after
    `keep_alive_s` of silence so an idle stream stays open. With `progress_interval_s`,
    the agent's epoch progress while TRAINING, when it changed, at most that often.
    Before each poll `still_authorised` is asked: a logout (a revoked token) ends it."""
    last, idle = after_id, 0.0
    sent_progress: dict[str, Any] | None = None
    progress_at = -math.inf
    while True:
        if still_authorised is not None and not await still_authorised():
            return
        async with sessionmaker() as session:
            rows = await since(session, agent_id, last)
            state = (
                await session.execute(
                    select(col(Agent.status), col(Agent.progress)).where(col(Agent.id) == agent_id)
                )
            ).first()
        active = bool(rows)
        for index, note in enumerate(rows):
            last = note.id or last
            yield note
            if note.payload.get("status") in FINAL_STATES and index == len(rows) - 1:
                return
        if state is None:  # deleted
            return
        status, progress = state
        now = time.monotonic()
        if (
            progress_interval_s is not None
            and status == AgentStatus.TRAINING
            and isinstance(progress, dict)
            and "epoch" in progress
            and progress != sent_progress
            and now - progress_at >= progress_interval_s
        ):
            sent_progress, progress_at = progress, now
            yield Progress({"agent_id": str(agent_id), "status": str(status), **progress})
            active = True
        if active:
            idle = 0.0
        else:
            idle += poll_s
            if idle >= keep_alive_s:
                idle = 0.0
                yield None
        await asyncio.sleep(poll_s)

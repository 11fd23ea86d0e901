"""`app.services.agents` called directly, in a real unit of work on each backend.

Creation writes the agent, its first version and a QUEUED job and hands the job
to the queue only once all of it is committed; deletion removes the weights only
once the deletion is committed. `session_scope` is the unit of work the routers
use (commit, then the after-commit callbacks; roll back on an exception).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from app.config import Settings
from app.core.segments import UserSegment
from app.db import session_scope
from app.errors import Unprocessable
from app.models import (
    Agent,
    AgentVersion,
    AuditLog,
    IdempotencyKey,
    Notification,
    TrainingJob,
    User,
)
from app.schemas.agents import AgentCreate
from app.services import agents
from app.services.agents import AgentNotFound, IdempotencyKeyReused
from app.services.audit import ClientInfo
from app.services.job_queue import ArqJobQueue, EmbeddedJobQueue, arq_job_id, queue_name
from app.services.notifications import Notifier
from tests.utils.agents import agent_rows
from tests.utils.db import add_all
from tests.utils.users import user_row

CLIENT = ClientInfo(ip="203.0.113.7", user_agent="pytest")

Sessions = async_sessionmaker[AsyncSession]


def creation(**overrides: Any) -> AgentCreate:
    """Four years of daily AAPL bars: what an investor may ask for."""
    body: dict[str, Any] = {
        "name": "AAPL daily",
        "symbol": " aapl ",
        "data_source": "synthetic",
        "start_date": "2020-01-01",
        "end_date": "2023-12-31",
        "data_frequency": "1d",
        "prediction_horizon": "1d",
        "model_preferences": {"architecture": "LSTM", "epochs": 2},
    }
    body.update(overrides)
    return AgentCreate.model_validate(body)


async def rows_of(sessionmaker: Sessions, model: Any, **where: Any) -> list[Any]:
    """Every row of `model` whose columns equal `where`, oldest first."""
    async with sessionmaker() as session:
        query = select(model).where(*(getattr(model, k) == v for k, v in where.items()))
        return list((await session.scalars(query.order_by(col(model.created_at)))).all())


async def count(sessionmaker: Sessions, model: Any, **where: Any) -> int:
    async with sessionmaker() as session:
        total = await session.scalar(
            select(func.count())
            .select_from(model)
            .where(*(getattr(model, k) == v for k, v in where.items()))
        )
        return int(total or 0)


# --- creation ------------------------------------------------------------------------------


async def test_create_writes_agent_version_and_queued_job_and_enqueues_after_commit(
    sessionmaker: Sessions,
    settings: Settings,
    notifier: Notifier,
    user: User,
) -> None:
    queue = EmbeddedJobQueue()
    async with session_scope(sessionmaker) as session:
        created = await agents.create(session, settings, queue, notifier, user, creation(), CLIENT)
        assert not queue.wakeup.is_set()  # a worker must not look before the rows exist
    assert queue.wakeup.is_set()
    assert created.replayed is False

    [agent] = await rows_of(sessionmaker, Agent, user_id=user.id)
    assert agent.id == created.agent.id
    assert (agent.name, agent.symbol, agent.status) == ("AAPL daily", "AAPL", "QUEUED")
    assert agent.features == ["SMA", "EMA", "MACD", "volatility"]
    assert agent.hyperparameters["lookback"] == 40 and "seed" not in agent.hyperparameters
    [version] = await rows_of(sessionmaker, AgentVersion, agent_id=agent.id)
    assert (version.number, version.status) == (1, "QUEUED")
    [job] = await rows_of(sessionmaker, TrainingJob, agent_id=agent.id)
    assert (job.id, job.user_id, job.state) == (version.id, user.id, "QUEUED")
    assert (job.attempts, job.max_attempts, job.lease_token) == (0, 2, None)
    [note] = await rows_of(sessionmaker, Notification, agent_id=agent.id)
    assert note.event == "agent.queued" and note.payload["status"] == "QUEUED"
    [audit] = await rows_of(sessionmaker, AuditLog, user_id=user.id)
    assert (audit.action, audit.client_ip) == ("agent.created", "203.0.113.7")


@pytest.mark.parametrize("backend", ["services"])
async def test_create_puts_one_arq_job_on_redis_once_committed(
    sessionmaker: Sessions,
    settings: Settings,
    notifier: Notifier,
    user: User,
) -> None:
    assert settings.redis_url is not None
    queue = ArqJobQueue(settings.redis_url, settings.redis_namespace)
    name = queue_name(settings.redis_namespace)  # this test's own namespace
    try:
        async with session_scope(sessionmaker) as session:
            created = await agents.create(
                session, settings, queue, notifier, user, creation(), CLIENT
            )
            assert await queue.redis.zrange(name, 0, -1) == []
        [job] = await rows_of(sessionmaker, TrainingJob, agent_id=created.agent.id)
        assert await queue.redis.zrange(name, 0, -1) == [arq_job_id(job.id, 1).encode()]
    finally:
        queued = await queue.redis.zrange(name, 0, -1)
        await queue.redis.delete(name, *(b"arq:job:" + job_id for job_id in queued))
        await queue.close()


async def test_a_refused_creation_names_every_field_and_writes_and_enqueues_nothing(
    sessionmaker: Sessions,
    settings: Settings,
    notifier: Notifier,
    user: User,
) -> None:
    queue = EmbeddedJobQueue()
    bad = creation(
        start_date="2023-12-31",
        end_date="2020-01-01",
        prediction_horizon="1h",
        model_preferences={"architecture": "CNN", "units": 8},
    )
    with pytest.raises(Unprocessable) as caught:
        async with session_scope(sessionmaker) as session:
            await agents.create(session, settings, queue, notifier, user, bad, CLIENT)
    assert [d["loc"] for d in caught.value.details] == [
        ["body", "end_date"],
        ["body", "prediction_horizon"],
        ["body", "model_preferences", "units"],
    ]
    assert not queue.wakeup.is_set()
    assert await count(sessionmaker, Agent, user_id=user.id) == 0


async def test_the_same_idempotency_key_replays_and_another_body_is_refused(
    sessionmaker: Sessions,
    settings: Settings,
    notifier: Notifier,
    user: User,
) -> None:
    first_queue, replay_queue = EmbeddedJobQueue(), EmbeddedJobQueue()
    async with session_scope(sessionmaker) as session:
        first = await agents.create(
            session,
            settings,
            first_queue,
            notifier,
            user,
            creation(),
            CLIENT,
            idempotency_key="create-1",
        )
    async with session_scope(sessionmaker) as session:
        again = await agents.create(
            session,
            settings,
            replay_queue,
            notifier,
            user,
            creation(),
            CLIENT,
            idempotency_key="create-1",
        )
    assert (first.replayed, again.replayed) == (False, True)
    assert again.agent.id == first.agent.id
    assert not replay_queue.wakeup.is_set()  # a replay trains nothing
    assert await count(sessionmaker, TrainingJob, user_id=user.id) == 1

    with pytest.raises(IdempotencyKeyReused) as caught:
        async with session_scope(sessionmaker) as session:
            await agents.create(
                session,
                settings,
                EmbeddedJobQueue(),
                notifier,
                user,
                creation(name="another name"),
                CLIENT,
                idempotency_key="create-1",
            )
    assert caught.value.details[0]["loc"] == ["header", "Idempotency-Key"]
    assert await count(sessionmaker, Agent, user_id=user.id) == 1

    # The key is the user's own: another user may use the same one.
    other = user_row()
    async with session_scope(sessionmaker) as session:
        await add_all(session, other)
        theirs = await agents.create(
            session,
            settings,
            EmbeddedJobQueue(),
            notifier,
            other,
            creation(),
            CLIENT,
            idempotency_key="create-1",
        )
    assert theirs.replayed is False and theirs.agent.id != first.agent.id


# --- listing -------------------------------------------------------------------------------


async def test_list_page_walks_newest_first_by_keyset_and_filters(
    sessionmaker: Sessions,
    user: User,
) -> None:
    t0 = datetime(2025, 3, 1, 12, tzinfo=UTC)
    specs = [
        ("AAPL", "LSTM", 0),
        ("MSFT", "CNN", 1),
        ("AAPL", "Transformer", 2),
        ("AAPL", "LSTM", 3),
        ("MSFT", "LSTM", 3),
    ]  # the last two at the same instant
    mine = [
        agent_rows(
            user.id,
            serving=False,
            symbol=symbol,
            architecture=architecture,
            created_at=t0 + timedelta(minutes=minute),
        )[0]
        for symbol, architecture, minute in specs
    ]
    other = user_row()
    theirs, _ = agent_rows(other.id, serving=False, created_at=t0 + timedelta(minutes=9))
    async with session_scope(sessionmaker) as session:
        await add_all(session, other, theirs, *mine)
    newest_first = sorted(mine, key=lambda a: (a.created_at, a.id), reverse=True)

    seen: list[uuid.UUID] = []
    cursors: list[str | None] = []
    cursor: str | None = None
    async with sessionmaker() as session:
        while True:
            page, cursor = await agents.list_page(session, user, limit=2, cursor=cursor)
            seen.extend(agent.id for agent in page)
            cursors.append(cursor)
            if cursor is None:
                break
        assert seen == [agent.id for agent in newest_first]
        assert len(cursors) == 3 and cursors[-1] is None

        msft, _ = await agents.list_page(session, user, limit=10, symbol="msft")
        assert [a.id for a in msft] == [mine[4].id, mine[1].id]
        lstm, _ = await agents.list_page(session, user, limit=10, architecture="lstm")
        assert {a.id for a in lstm} == {mine[0].id, mine[3].id, mine[4].id}


# --- deletion --------------------------------------------------------------------------------


async def created_with_weights(
    sessionmaker: Sessions,
    settings: Settings,
    notifier: Notifier,
    user: User,
) -> tuple[uuid.UUID, Path]:
    """An agent made by `create` (version, job, idempotency key) with weights on disk."""
    async with session_scope(sessionmaker) as session:
        created = await agents.create(
            session,
            settings,
            EmbeddedJobQueue(),
            notifier,
            user,
            creation(),
            CLIENT,
            idempotency_key="delete-me",
        )
    [version] = await rows_of(sessionmaker, AgentVersion, agent_id=created.agent.id)
    weights = settings.models_path / str(created.agent.id) / str(version.id) / "model.keras"
    weights.parent.mkdir(parents=True)
    weights.write_bytes(b"weights")
    return created.agent.id, weights


async def test_remove_deletes_the_weights_only_after_commit(
    sessionmaker: Sessions,
    settings: Settings,
    notifier: Notifier,
    user: User,
) -> None:
    agent_id, weights = await created_with_weights(sessionmaker, settings, notifier, user)
    async with session_scope(sessionmaker) as session:
        await agents.remove(session, settings, user, agent_id, CLIENT)
        assert weights.exists()  # the deletion may still roll back
    assert not (settings.models_path / str(agent_id)).exists()

    assert await count(sessionmaker, Agent, id=agent_id) == 0
    assert await count(sessionmaker, AgentVersion, agent_id=agent_id) == 0
    assert await count(sessionmaker, TrainingJob, agent_id=agent_id) == 0
    [key] = await rows_of(sessionmaker, IdempotencyKey, user_id=user.id)
    assert key.agent_id is None  # a replay now answers "deleted", not someone's agent
    with pytest.raises(AgentNotFound, match="was deleted"):
        async with session_scope(sessionmaker) as session:
            await agents.create(
                session,
                settings,
                EmbeddedJobQueue(),
                notifier,
                user,
                creation(),
                CLIENT,
                idempotency_key="delete-me",
            )


async def test_a_removal_that_rolls_back_keeps_the_agent_and_its_weights(
    sessionmaker: Sessions,
    settings: Settings,
    notifier: Notifier,
    user: User,
) -> None:
    agent_id, weights = await created_with_weights(sessionmaker, settings, notifier, user)
    with pytest.raises(RuntimeError, match="after the delete"):
        async with session_scope(sessionmaker) as session:
            await agents.remove(session, settings, user, agent_id, CLIENT)
            raise RuntimeError("something failed after the delete")
    assert weights.read_bytes() == b"weights"
    assert await count(sessionmaker, Agent, id=agent_id) == 1
    assert await count(sessionmaker, TrainingJob, agent_id=agent_id) == 1


async def test_another_users_agent_cannot_be_removed(
    sessionmaker: Sessions,
    settings: Settings,
    notifier: Notifier,
    user: User,
) -> None:
    agent_id, weights = await created_with_weights(sessionmaker, settings, notifier, user)
    stranger = user_row(UserSegment.quant)
    async with session_scope(sessionmaker) as session:
        await add_all(session, stranger)
    with pytest.raises(AgentNotFound):
        async with session_scope(sessionmaker) as session:
            await agents.remove(session, settings, stranger, agent_id, CLIENT)
    with pytest.raises(AgentNotFound):
        async with session_scope(sessionmaker) as session:
            await agents.remove(session, settings, user, uuid.uuid4(), CLIENT)
    assert weights.exists()
    assert await count(sessionmaker, Agent, id=agent_id) == 1

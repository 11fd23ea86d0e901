"""The group writer: rows built without ORM objects carry the models' defaults,
concurrent callers share a transaction, and a bad call fails alone."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from app.models import AuditLog, User
from app.services import audit
from app.services.audit import ClientInfo
from app.services.batch_writer import GroupWriter, row

CLIENT = ClientInfo(ip="192.0.2.7", user_agent="pytest")


async def test_rows_carry_the_models_defaults_and_concurrent_calls_all_land(
    sessionmaker: async_sessionmaker[AsyncSession], user: User
) -> None:
    writer = GroupWriter()

    async def call(n: int) -> None:
        async with sessionmaker() as session:
            await writer.write(session, [audit.entry("prediction", CLIENT, user.id, n=n)])

    await asyncio.gather(*(call(n) for n in range(12)))
    async with sessionmaker() as session:
        rows = (
            await session.scalars(select(AuditLog).where(col(AuditLog.user_id) == user.id))
        ).all()
    assert sorted(r.details["n"] for r in rows) == list(range(12))
    for saved in rows:  # the serial key from the database, the timestamp from the model
        assert saved.id is not None and saved.created_at is not None
        assert saved.client_ip == "192.0.2.7" and saved.action == "prediction"


async def test_a_bad_call_fails_alone(
    sessionmaker: async_sessionmaker[AsyncSession], user: User
) -> None:
    writer = GroupWriter()
    nobody = uuid.uuid4()  # no such user: the foreign key refuses the row

    async def call(user_id: uuid.UUID, n: int) -> None:
        async with sessionmaker() as session:
            await writer.write(
                session, [row(AuditLog, user_id=user_id, action="x", details={"n": n})]
            )

    results = await asyncio.gather(
        call(user.id, 1), call(nobody, 2), call(user.id, 3), return_exceptions=True
    )
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], Exception)
    async with sessionmaker() as session:
        saved = (
            await session.scalars(select(AuditLog).where(col(AuditLog.user_id) == user.id))
        ).all()
    assert sorted(r.details["n"] for r in saved) == [1, 3]


def test_a_row_fills_every_column() -> None:
    one = row(AuditLog, action="login", details={})
    assert set(one.values) == {c.key for c in AuditLog.__table__.columns}  # type: ignore[attr-defined]
    assert one.values["created_at"] is not None and one.values["id"] is None
    with pytest.raises(KeyError):
        one.values["no_such_column"]

"""Factories for stored predictions, agents and bar files (outcome and dashboard tests).

Rows are written straight to the test's database: these tests are about what is
built from stored history, not about /predict (tests/api/test_predict.py).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.core.segments import UserSegment
from app.db import make_engine, make_sessionmaker
from app.models import Agent, AgentVersion, Prediction, User
from app.models.agents import AgentStatus
from tests.factories import random_email


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A sessionmaker on the test's database, its engine disposed afterwards."""
    engine = make_engine(settings)
    try:
        yield make_sessionmaker(engine)
    finally:
        await engine.dispose()


async def insert(settings: Settings, *rows: Any) -> None:
    """Rows in the order given (the tables have no ORM relationships to order them)."""
    async with database(settings) as sessionmaker, sessionmaker() as session:
        for row in rows:
            session.add(row)
            await session.flush()
        await session.commit()


def user_row(segment: UserSegment = UserSegment.investor) -> User:
    return User(email=random_email(), hashed_password="not-a-hash", user_segment=segment)


def prediction_row(user_id: uuid.UUID | str, **overrides: Any) -> Prediction:
    """A stored call: by default a pending 10-minute Long on CSV bars of AAPL."""
    as_of = overrides.pop("as_of", datetime.fromisoformat("2003-01-02T14:41:00+00:00"))
    values: dict[str, Any] = {
        "user_id": uuid.UUID(str(user_id)), "agent_id": None, "agent_version_id": None,
        "user_segment": "short_term_trader", "symbol": "AAPL", "data_source": "csv",
        "data_frequency": "1min", "prediction_horizon": "10min", "trade_signal": "Enter",
        "direction": "Long", "entry_price": 100.0, "stop_loss": 99.0, "position_size": 10,
        "max_loss": 10.0, "predicted_price": 101.0, "confidence": 0.8, "as_of": as_of,
        "target_time": as_of + timedelta(minutes=10), "request": {}, "response": {},
        "latency_ms": 1.0,
    }
    values.update(overrides)
    return Prediction(**values)


def agent_rows(
    user_id: uuid.UUID | str, *, serving: bool = True, **overrides: Any,
) -> tuple[Agent, AgentVersion | None]:
    """An agent (READY with a serving version by default) without any training."""
    values: dict[str, Any] = {
        "user_id": uuid.UUID(str(user_id)), "name": "test agent", "symbol": "AAPL",
        "data_source": "synthetic", "data_frequency": "1d", "prediction_horizon": "1d",
        "start_date": date(2020, 1, 1), "end_date": date(2023, 12, 31), "architecture": "LSTM",
        "epochs": 2, "status": AgentStatus.READY if serving else AgentStatus.QUEUED,
    }
    values.update(overrides)
    agent = Agent(**values)
    if not serving:
        return agent, None
    version = AgentVersion(
        agent_id=agent.id, number=1, status=AgentStatus.READY,
        metrics={"rmse": 1.25, "directional_accuracy": 0.54},
        loss_curve=[{"epoch": 1, "loss": 0.9, "val_loss": 1.0},
                    {"epoch": 2, "loss": 0.7, "val_loss": 0.95}])
    agent.serving_version_id = version.id
    return agent, version


def write_minute_bars(data_dir: Path, symbol: str, first: datetime, closes: list[float]) -> None:
    """`DATA_DIR/1min/<SYMBOL>.csv`: one bar a minute from `first`, with these closes."""
    folder = data_dir / "1min"
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["timestamp,open,high,low,close,volume"]
    for i, close in enumerate(closes):
        stamp = (first + timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        lines.append(f"{stamp},{close - 0.1},{close + 0.2},{close - 0.3},{close},1000")
    (folder / f"{symbol}.csv").write_text("\n".join(lines) + "\n")

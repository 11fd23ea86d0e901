"""Agent rows written straight to the database, without any training."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from app.models import Agent, AgentVersion
from app.models.agents import AgentStatus


def agent_rows(
    user_id: uuid.UUID | str,
    *,
    serving: bool = True,
    **overrides: Any,
) -> tuple[Agent, AgentVersion | None]:
    """An agent (READY with a serving version by default) without any training."""
    values: dict[str, Any] = {
        "user_id": uuid.UUID(str(user_id)),
        "name": "test agent",
        "symbol": "AAPL",
        "data_source": "synthetic",
        "data_frequency": "1d",
        "prediction_horizon": "1d",
        "start_date": date(2020, 1, 1),
        "end_date": date(2023, 12, 31),
        "architecture": "LSTM",
        "epochs": 2,
        "status": AgentStatus.READY if serving else AgentStatus.QUEUED,
    }
    values.update(overrides)
    agent = Agent(**values)
    if not serving:
        return agent, None
    version = AgentVersion(
        agent_id=agent.id,
        number=1,
        status=AgentStatus.READY,
        metrics={"rmse": 1.25, "directional_accuracy": 0.54},
        loss_curve=[
            {"epoch": 1, "loss": 0.9, "val_loss": 1.0},
            {"epoch": 2, "loss": 0.7, "val_loss": 0.95},
        ],
    )
    agent.serving_version_id = version.id
    return agent, version

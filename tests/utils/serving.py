"""READY agents for the inference tests, without waiting for a worker.

A tiny model is trained once per test session by the training job's own code
(`train_and_evaluate`, the function the worker's child process runs) on the
synthetic source; each test copies the artifact under its own MODEL_DIR and
inserts the agent and version rows the job would have written. The training
plumbing itself is tested end to end in tests/tasks.
"""

from __future__ import annotations

import asyncio
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from httpx import AsyncClient

from app.models import Agent, AgentVersion
from app.models.agents import AgentStatus
from app.models.base import utcnow
from app.services import artifact_store
from app.services.features import DEFAULT_FEATURES
from app.services.market_data.synthetic import SyntheticProvider
from app.tasks.supervisor import TrainingSpec, train_and_evaluate
from tests.utils.client import runtime_of


@dataclass(frozen=True)
class Artifact:
    directory: Path
    result: dict[str, Any]
    frequency: str
    horizon: str
    start: date
    end: date


class _Pipe:
    """Stands in for the child's pipe: progress messages are not needed here."""

    def send(self, message: Any) -> None:
        pass

    def close(self) -> None:
        pass


def train_artifact(
    out: Path,
    frequency: str,
    horizon: str,
    horizon_bars: int,
    start: date,
    end: date,
    lookback: int,
) -> Artifact:
    bars = asyncio.run(
        SyntheticProvider().fetch_bars(
            "AAPL",
            frequency,
            datetime.combine(start, datetime.min.time(), UTC),
            datetime.combine(end, datetime.min.time(), UTC),
        )
    )
    spec = TrainingSpec(
        agent_id="fixture",
        version_id="fixture",
        symbol="AAPL",
        frequency=frequency,
        horizon=horizon,
        horizon_bars=horizon_bars,
        features=list(DEFAULT_FEATURES),
        architecture="LSTM",
        epochs=1,
        hyperparameters={"lookback": lookback, "units": 8, "layers": 1, "batch_size": 128},
        risk_params={},
        out_dir=str(out),
        seed=0,
    )
    result = train_and_evaluate(spec, bars.write_ipc(None).getvalue(), _Pipe())  # type: ignore[arg-type]
    return Artifact(out, result, frequency, horizon, start, end)


async def ready_agent(
    client: AsyncClient,
    user_id: str,
    artifact: Artifact,
    symbol: str = "AAPL",
    architecture: str = "LSTM",
) -> tuple[str, str]:
    """Insert a READY agent serving a copy of `artifact`; returns (agent_id, version_id)."""
    runtime = runtime_of(client)
    agent_id, version_id = uuid.uuid4(), uuid.uuid4()
    target = runtime.settings.models_path / str(agent_id) / str(version_id)
    shutil.copytree(artifact.directory, target)
    result = artifact.result
    async with runtime.sessionmaker() as session:
        session.add(
            Agent(
                id=agent_id,
                user_id=uuid.UUID(user_id),
                name=f"{symbol} fixture",
                symbol=symbol,
                data_source="synthetic",
                data_frequency=artifact.frequency,
                prediction_horizon=artifact.horizon,
                start_date=artifact.start,
                end_date=artifact.end,
                features=list(DEFAULT_FEATURES),
                architecture=architecture,
                epochs=1,
                hyperparameters={},
                risk_params={},
                status=AgentStatus.READY,
                serving_version_id=version_id,
            )
        )
        await session.flush()
        session.add(
            AgentVersion(
                id=version_id,
                agent_id=agent_id,
                number=1,
                status=AgentStatus.READY,
                weights_path=str(target),
                sha256=result["sha256"],
                preprocessing=result["preprocessing"],
                calibration=result["calibration"],
                metrics=result["metrics"],
                loss_curve=result["loss_curve"],
                ready_at=utcnow(),
            )
        )
        await session.commit()
    return str(agent_id), str(version_id)


async def store_artifact(client: AsyncClient, version_id: str, artifact: Artifact) -> None:
    """What the worker does at READY with the database artifact store: the files in
    `artifact_files` (whatever `ARTIFACT_STORE` the app runs with)."""
    runtime = runtime_of(client)
    files = artifact_store.read_files(artifact.directory, artifact.result["sha256"])
    async with runtime.sessionmaker() as session:
        await artifact_store.put(session, uuid.UUID(version_id), files)
        await session.commit()


async def serve_new_version(client: AsyncClient, agent_id: str, artifact: Artifact) -> str:
    """What a finished retrain does: a second version becomes the serving one."""
    runtime = runtime_of(client)
    version_id = uuid.uuid4()
    target = runtime.settings.models_path / agent_id / str(version_id)
    shutil.copytree(artifact.directory, target)
    async with runtime.sessionmaker() as session:
        agent = await session.get(Agent, uuid.UUID(agent_id))
        assert agent is not None
        session.add(
            AgentVersion(
                id=version_id,
                agent_id=agent.id,
                number=2,
                status=AgentStatus.READY,
                weights_path=str(target),
                sha256=artifact.result["sha256"],
                preprocessing=artifact.result["preprocessing"],
                calibration=artifact.result["calibration"],
                metrics=artifact.result["metrics"],
                loss_curve=artifact.result["loss_curve"],
                ready_at=utcnow(),
            )
        )
        await session.flush()
        agent.serving_version_id = version_id
        session.add(agent)
        await session.commit()
    return str(version_id)

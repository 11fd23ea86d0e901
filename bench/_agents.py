"""READY agents for the HTTP benches without training each one, and a plain load.

What tests/utils/serving.py does for the tests, done here for the benches (which do
not import tests/): a small model is trained once by the training job's own code
(`train_and_evaluate`, what the worker's child runs) on the synthetic source; each
further agent gets its own version directory, a copy of that artifact under the
deployment's ``MODEL_DIR``, and the agent and version rows the job would have written,
inserted straight into the deployment's database. Nothing announces them as serving,
so no API process has them loaded until someone asks.

Insert only while no API process of the deployment runs (the benches stop it first):
with SQLite, a process that closes its connections beside a live embedded API has
corrupted the database here ("database disk image is malformed", "disk I/O error"
in the API), likely because the API process opens and closes the database file
itself after its engine has connections (`app.db.private_sqlite_file`, called again by
the embedded runner's `JobContext.build`), which drops its SQLite locks on the file, so
the other process's close takes the WAL away from under it.

Run as a child process in the deployment's environment (its ``VAR_DIR``, ``MODEL_DIR``,
database), so the bench itself never imports TensorFlow or the app; each command
prints one JSON line:

* ``build OUT_DIR`` trains the artifact: ``{"result": …, "estimated_bytes": …}``
  (``estimated_bytes``: what the model cache charges for one loaded copy);
* ``seed USER_ID ARTIFACT_DIR RESULT_JSON COUNT`` inserts COUNT READY agents of that
  user serving copies of it: ``{"agents": [...]}``;
* ``clone AGENT_ID COUNT`` inserts COUNT READY agents like AGENT_ID (same user, rows
  copied, its serving version's files copied): ``{"agents": [...], "source":
  {"weights_path": …, "sha256": …}}`` (``source``: AGENT_ID's serving version);
* ``load DIRECTORY SHA256 ROUNDS``: the median of ROUNDS plain ``Predictor.load``\\ s
  after one that pays TensorFlow's one-off costs: ``{"load_ms": …}``.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from _harness import BenchError

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The seed's request (1-minute bars, 1 h ahead), as bench/predict.py's agent; a small
# LSTM fitted for one epoch, as the tests' `minute_artifact`.
SYMBOL = "AAPL"
FREQUENCY, HORIZON, HORIZON_BARS = "1min", "1h", 60
START, END = date(2025, 4, 1), date(2025, 5, 15)
HYPERPARAMETERS = {"lookback": 60, "units": 32, "layers": 1, "batch_size": 128}


class _Pipe:
    """Stands in for the training child's pipe: its progress messages are dropped."""

    def send(self, message: Any) -> None:
        pass

    def close(self) -> None:
        pass


def build(out: Path) -> dict[str, Any]:
    from app.ml.inference import Predictor
    from app.services.features import DEFAULT_FEATURES
    from app.services.market_data.synthetic import SyntheticProvider
    from app.tasks.supervisor import TrainingSpec, train_and_evaluate

    bars = asyncio.run(
        SyntheticProvider().fetch_bars(
            SYMBOL,
            FREQUENCY,
            datetime.combine(START, datetime.min.time(), UTC),
            datetime.combine(END, datetime.min.time(), UTC),
        )
    )
    spec = TrainingSpec(
        agent_id="bench",
        version_id="bench",
        symbol=SYMBOL,
        frequency=FREQUENCY,
        horizon=HORIZON,
        horizon_bars=HORIZON_BARS,
        features=list(DEFAULT_FEATURES),
        architecture="LSTM",
        epochs=1,
        hyperparameters=dict(HYPERPARAMETERS),
        risk_params={},
        out_dir=str(out),
        seed=0,
    )
    result = train_and_evaluate(spec, bars.write_ipc(None).getvalue(), _Pipe())  # type: ignore[arg-type]
    # What the API's cache charges for one more copy of a loaded structure (the first
    # also carries the structure's graph), loaded as the API loads.
    first = Predictor.load(out, result["sha256"], background_jit=True)
    copy = Predictor.load(out, result["sha256"], background_jit=True)
    assert copy.compiled.graph is first.compiled.graph
    first.compiled.wait_for_jit(120.0)  # exiting mid-compilation aborts the process
    return {"result": result, "estimated_bytes": copy.compiled.estimated_bytes}


async def _insert(rows: list[Any]) -> None:
    from app.config import Settings
    from app.db import make_engine, make_sessionmaker

    engine = make_engine(Settings())
    try:
        async with make_sessionmaker(engine)() as session:
            for start in range(0, len(rows), 200):
                session.add_all(rows[start : start + 200])
                await session.flush()
            await session.commit()
    finally:
        await engine.dispose()


def _copy_version(source: Path, agent_id: uuid.UUID, version_id: uuid.UUID) -> Path:
    from app.config import Settings

    target = Settings().models_path / str(agent_id) / str(version_id)
    shutil.copytree(source, target)
    return target


def seed(user_id: str, artifact: Path, result: dict[str, Any], count: int) -> list[str]:
    """`count` READY agents of `user_id`, each serving its own copy of `artifact`
    (the rows tests/utils/serving.py's `ready_agent` inserts)."""
    from app.models import Agent, AgentVersion
    from app.models.agents import AgentStatus
    from app.models.base import utcnow
    from app.services.features import DEFAULT_FEATURES

    rows: list[Any] = []
    agents: list[str] = []
    for n in range(count):
        agent_id, version_id = uuid.uuid4(), uuid.uuid4()
        target = _copy_version(artifact, agent_id, version_id)
        rows.append(
            Agent(
                id=agent_id,
                user_id=uuid.UUID(user_id),
                name=f"bench {SYMBOL} {n + 1}",
                symbol=SYMBOL,
                data_source="synthetic",
                data_frequency=FREQUENCY,
                prediction_horizon=HORIZON,
                start_date=START,
                end_date=END,
                features=list(DEFAULT_FEATURES),
                architecture="LSTM",
                epochs=1,
                hyperparameters=dict(HYPERPARAMETERS),
                risk_params={},
                status=AgentStatus.READY,
                serving_version_id=version_id,
            )
        )
        rows.append(
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
        agents.append(str(agent_id))
    asyncio.run(_insert(rows))
    return agents


def clone(source_id: str, count: int) -> tuple[list[str], dict[str, Any]]:
    """`count` READY agents like `source_id`: its rows copied with new ids, its serving
    version's files copied into each new version's directory. Also the source version's
    directory and SHA (what a plain load of the same version reads)."""
    from app.config import Settings
    from app.db import make_engine, make_sessionmaker
    from app.models import Agent, AgentVersion

    async def source_rows() -> tuple[Agent, AgentVersion]:
        engine = make_engine(Settings())
        try:
            async with make_sessionmaker(engine)() as session:
                agent = await session.get(Agent, uuid.UUID(source_id))
                if agent is None or agent.serving_version_id is None:
                    raise BenchError(f"agent {source_id} serves no version")
                version = await session.get(AgentVersion, agent.serving_version_id)
                if version is None or not version.weights_path:
                    raise BenchError(f"agent {source_id}'s serving version has no files")
                return agent, version
        finally:
            await engine.dispose()

    agent, version = asyncio.run(source_rows())
    assert version.weights_path is not None
    rows: list[Any] = []
    agents: list[str] = []
    for n in range(count):
        agent_id, version_id = uuid.uuid4(), uuid.uuid4()
        target = _copy_version(Path(version.weights_path), agent_id, version_id)
        fields = agent.model_dump(exclude={"id", "serving_version_id", "created_at", "updated_at"})
        fields["name"] = f"{agent.name} copy {n + 1}"[:120]
        rows.append(Agent(id=agent_id, serving_version_id=version_id, **fields))
        fields = version.model_dump(exclude={"id", "agent_id", "weights_path", "created_at"})
        rows.append(
            AgentVersion(id=version_id, agent_id=agent_id, weights_path=str(target), **fields)
        )
        agents.append(str(agent_id))
    asyncio.run(_insert(rows))
    return agents, {"weights_path": version.weights_path, "sha256": version.sha256}


def plain_load_ms(directory: Path, sha256: str, rounds: int) -> float:
    """Median of `rounds` plain `Predictor.load`s (the `.keras` file, tracing, XLA,
    warm-up), after one paying TensorFlow's one-off costs: bench/cold.py's reference."""
    from app.ml.inference import Predictor

    Predictor.load(directory, sha256)
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        Predictor.load(directory, sha256)
        times.append(1e3 * (time.perf_counter() - started))
    return statistics.median(times)


def run_child(env: dict[str, str], workdir: Path, *args: str) -> Any:
    """This script with `args` in a fresh process in the deployment's environment; its
    last line, parsed."""
    done = subprocess.run(
        [sys.executable, __file__, *args], env=env, cwd=workdir, capture_output=True, text=True
    )
    if done.returncode:
        raise BenchError(f"bench/_agents.py {args[0]} failed\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    command, *args = sys.argv[1:]
    if command == "build":
        out: Any = build(Path(args[0]))
    elif command == "seed":
        result = json.loads(Path(args[2]).read_text())
        out = {"agents": seed(args[0], Path(args[1]), result, int(args[3]))}
    elif command == "clone":
        agents, source = clone(args[0], int(args[1]))
        out = {"agents": agents, "source": source}
    elif command == "load":
        out = {"load_ms": plain_load_ms(Path(args[0]), args[1], int(args[2]))}
    else:
        raise SystemExit(f"unknown command {command!r}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()

"""Scale-out: two API processes and two ARQ workers on one PostgreSQL and one Redis,
each process with a weights directory of its own (no shared volume), as README's
"Scaling out" deploys them on several machines.

Everything runs as separate processes started the documented way (`python -m
app.migrate`, `uvicorn app.main:app`, `python -m app.tasks.worker`)
with the same environment; the test talks to the APIs over HTTP and reads the
shared database for what the API does not show (attempts, versions). It shows:

* 12 agents created across both APIs are each trained exactly once (one version,
  one job, one attempt, one weights directory on one worker) and all reach READY,
  with both workers taking jobs, and each version's files are in the database's
  artifact store;
* each version, announced by its worker as it turns READY (Redis pub/sub), is
  loaded by both APIs before any call, materialising the files from the database
  (neither API can see a worker's directory), and the APIs serve those agents;
* a logout through API 1 makes the access token 401 on API 2;
* rate limits are one budget: requests split across the APIs are limited together.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlmodel import col

from app.config import Settings
from app.db import make_engine, make_sessionmaker
from app.ml.artifacts import HASHED_FILES, combined_sha256
from app.models import Agent, AgentVersion, ArtifactFile, TrainingJob, User
from tests.utils.backends import REDIS_URL, admin, postgres_url, services_or_skip
from tests.utils.jobs import tiny_agent
from tests.utils.users import PASSWORD, random_email

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

ROOT = Path(__file__).resolve().parent.parent
AGENTS = 12
USERS = 4  # three agents each; MAX_ACTIVE_TRAININGS_PER_USER lets them all queue at once
RATE = 5  # RATE_LIMIT_DEFAULT = "5/60"
TRAIN_TIMEOUT_S = 150.0
PRELOAD_TIMEOUT_S = 120.0  # each API loading the 12 announced versions, one at a time
# One epoch of a tiny CNN: the time that matters is each job's child process
# importing TensorFlow. Seed 0 converges on this series (see tiny_agent).
AGENT = tiny_agent(
    "CNN",
    model_preferences={
        "architecture": "CNN",
        "epochs": 1,
        "lookback": 10,
        "units": 8,
        "layers": 1,
        "batch_size": 64,
        "seed": 0,
    },
)


def _cached(model_dir: Path) -> set[str]:
    """The `agent/version` directories an API has materialised in its MODEL_DIR."""
    return {f"{p.parent.name}/{p.name}" for p in model_dir.glob("*/*")}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Process:
    name: str
    proc: subprocess.Popen[bytes]
    log: Path

    def tail(self, lines: int = 25) -> str:
        text = self.log.read_text(errors="replace").splitlines()[-lines:]
        return "\n".join(f"  {self.name} | {line}" for line in text)

    def stop(self) -> None:
        """SIGINT to its process group (a worker's training children go too), then SIGKILL."""
        for sig, wait_s in ((signal.SIGINT, 10.0), (signal.SIGKILL, 5.0)):
            if self.proc.poll() is not None:
                break
            try:
                os.killpg(self.proc.pid, sig)
                self.proc.wait(wait_s)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                continue
        with contextlib.suppress(ProcessLookupError):  # whatever of its group outlived it
            os.killpg(self.proc.pid, signal.SIGKILL)


@dataclass
class Stack:
    apis: list[str]  # base URLs
    workers: list[Process]
    processes: list[Process]
    settings: Settings  # the shared database, for reading job rows
    model_dirs: dict[str, Path]  # each process's own MODEL_DIR, by process name

    def logs(self) -> str:
        return "\n".join(p.tail() for p in self.processes)


def _spawn(name: str, args: list[str], env: dict[str, str], log: Path) -> Process:
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Process(name, proc, log)


def _wait_ready(base: str, process: Process, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.proc.poll() is not None:
            pytest.fail(f"{process.name} exited with {process.proc.returncode}\n{process.tail()}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    pytest.fail(f"{process.name} not ready after {timeout_s:.0f} s\n{process.tail()}")


def _environment(database_url: str, namespace: str, tmp: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("RATE_LIMIT", "INFERENCE_", "TRAINING_", "WORKER_"))
    }
    env.update(
        {
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
            "DATABASE_URL": database_url,
            "REDIS_URL": REDIS_URL,
            "REDIS_NAMESPACE": namespace,
            "SECRET_KEY": secrets.token_urlsafe(48),
            "ENVIRONMENT": "test",
            "VAR_DIR": str(tmp / "var"),
            "DATA_DIR": str(tmp / "data"),
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "RATE_LIMIT_DEFAULT": f"{RATE}/60",
            "RATE_LIMIT_LOGIN": "1000/60",
            "MAX_ACTIVE_TRAININGS_PER_USER": str(AGENTS // USERS),
            "WALK_FORWARD_FOLDS": "0",  # each fold is a training run; not what this measures
        }
    )
    return env


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    services_or_skip()
    tmp = tmp_path_factory.mktemp("scale-out")
    name = f"atp_scale_{uuid.uuid4().hex[:10]}"
    namespace = f"test-scale-{uuid.uuid4().hex[:12]}"
    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    database_url = postgres_url(name)
    env = _environment(database_url, namespace, tmp)
    processes: list[Process] = []
    try:
        migrated = subprocess.run(
            [sys.executable, "-m", "app.migrate"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            timeout=120,
        )
        assert migrated.returncode == 0, migrated.stderr.decode(errors="replace")
        # No shared volume: every process has a weights directory of its own, as it
        # would on a machine of its own.
        model_dirs = {
            name: tmp / name / "models" for name in ("api1", "api2", "worker1", "worker2")
        }

        def own(name: str) -> dict[str, str]:
            return {**env, "MODEL_DIR": str(model_dirs[name])}

        apis = []
        for i in (1, 2):
            port = _free_port()
            processes.append(
                _spawn(
                    f"api{i}",
                    ["-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)],
                    own(f"api{i}"),
                    tmp / f"api{i}.log",
                )
            )
            apis.append(f"http://127.0.0.1:{port}")
        workers = [
            _spawn(
                f"worker{i}",
                ["-m", "app.tasks.worker"],
                own(f"worker{i}"),
                tmp / f"worker{i}.log",
            )
            for i in (1, 2)
        ]
        processes.extend(workers)
        for base, process in zip(apis, processes, strict=False):
            _wait_ready(base, process)
        yield Stack(
            apis,
            workers,
            processes,
            Settings(database_url=database_url, environment="test"),
            model_dirs,
        )
    finally:
        for process in processes:
            process.stop()
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        asyncio.run(_forget_namespace(namespace))


async def _forget_namespace(namespace: str) -> None:
    from redis.asyncio import Redis

    redis = Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in redis.scan_iter(match=f"{namespace}:*", count=1000)]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()


async def _user(api: httpx.AsyncClient, segment: str = "quant") -> dict[str, str]:
    """Register and log in; returns the bearer header."""
    email = random_email()
    response = await api.post(
        "/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "user_segment": segment},
    )
    assert response.status_code == 201, response.text
    response = await api.post("/api/v1/auth/login", data={"username": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def _job_states(settings: Settings) -> Counter[str]:
    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine)() as session:
            rows = (
                await session.execute(
                    select(col(TrainingJob.state), func.count()).group_by(col(TrainingJob.state))
                )
            ).all()
    finally:
        await engine.dispose()
    return Counter({state: n for state, n in rows})


async def _wait_trained(stack: Stack) -> Counter[str]:
    """Every job READY (read from the database: the API's own budget is 5 a minute)."""
    deadline = time.monotonic() + TRAIN_TIMEOUT_S
    states: Counter[str] = Counter()
    while time.monotonic() < deadline:
        states = await _job_states(stack.settings)
        if states.get("READY", 0) == AGENTS:
            return states
        if states.get("FAILED") or states.get("CANCELLED"):
            break
        await asyncio.sleep(0.5)
    pytest.fail(f"training jobs after {TRAIN_TIMEOUT_S:.0f} s: {dict(states)}\n{stack.logs()}")


def _completed_by(worker: Process) -> Counter[str]:
    """Job runs a worker finished, by result, from ARQ's own log lines
    (`<t>s ← train:<job>:<attempt>:train_agent ● READY`)."""
    pattern = re.compile(r"← train:([0-9a-f-]{36}):\d+:train_agent ● '?(\w+)")
    return Counter(
        f"{m.group(1)} {m.group(2)}"
        for m in pattern.finditer(worker.log.read_text(errors="replace"))
    )


async def test_agents_across_two_apis_train_once_on_two_workers(stack: Stack) -> None:
    started = time.monotonic()
    apis = [httpx.AsyncClient(base_url=base, timeout=30.0) for base in stack.apis]
    try:
        users = await asyncio.gather(*(_user(apis[i % 2]) for i in range(USERS)))
        responses = await asyncio.gather(
            *(
                apis[i % 2].post(
                    "/api/v1/agents", json={**AGENT, "name": f"scale {i}"}, headers=users[i % USERS]
                )
                for i in range(AGENTS)
            )
        )
        assert [r.status_code for r in responses] == [202] * AGENTS, responses[0].text
        created = {uuid.UUID(r.json()["agent_id"]) for r in responses}
        assert len(created) == AGENTS

        states = await _wait_trained(stack)
        trained_s = time.monotonic() - started
        assert states == Counter({"READY": AGENTS})
        # The API agrees, seen through the other replica than the one that created them.
        for i, headers in enumerate(users):
            listed = await apis[(i + 1) % 2].get("/api/v1/agents", headers=headers)
            assert listed.status_code == 200, listed.text
            body = listed.json()
            items = body["items"] if isinstance(body, dict) else body
            assert {a["status"] for a in items} == {"READY"}
            assert len(items) == AGENTS // USERS
    finally:
        for api in apis:
            await api.aclose()

    engine = make_engine(stack.settings)
    try:
        async with make_sessionmaker(engine)() as session:
            jobs = (await session.scalars(select(TrainingJob))).all()
            versions = (await session.scalars(select(AgentVersion))).all()
            agents = (await session.scalars(select(Agent))).all()
    finally:
        await engine.dispose()
    # Exactly once: one version and one job per agent, each claimed a single time.
    assert {a.id for a in agents} == created
    assert sorted(v.agent_id for v in versions) == sorted(created)
    assert {(j.agent_id, j.id) for j in jobs} == {(v.agent_id, v.id) for v in versions}
    assert [j.attempts for j in jobs] == [1] * AGENTS
    assert all(a.serving_version_id is not None for a in agents)
    for agent in agents:  # one weights directory per agent, on the worker that trained it
        written = [
            f"{name}/{p.name}"
            for name in ("worker1", "worker2")
            if (stack.model_dirs[name] / str(agent.id)).is_dir()
            for p in (stack.model_dirs[name] / str(agent.id)).iterdir()
        ]
        assert [w.split("/")[1] for w in written] == [str(agent.serving_version_id)], written
    # Every version's files are in the artifact store, and verify as the version's.
    assert await _stored_digests(stack.settings) == {v.id: v.sha256 for v in versions}
    # Each READY version was announced by its worker (Redis pub/sub), and each API loaded
    # it before any call, materialising its files from the artifact store.
    serving = {f"{a.id}/{a.serving_version_id}" for a in agents}
    deadline = time.monotonic() + PRELOAD_TIMEOUT_S
    for name in ("api1", "api2"):
        while _cached(stack.model_dirs[name]) != serving and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        assert _cached(stack.model_dirs[name]) == serving, f"{name}\n{stack.logs()}"

    # Both workers trained, and between them each job ran to READY once.
    runs = [_completed_by(worker) for worker in stack.workers]
    ready = [Counter(k.split()[0] for k in r if k.endswith(" READY")) for r in runs]
    assert all(ready), f"a worker trained nothing: {[sum(r.values()) for r in ready]}"
    assert sum(ready, Counter()) == Counter({str(j.id): 1 for j in jobs})
    print(
        f"\n{AGENTS} agents READY {trained_s:.1f} s after the first request; "
        f"jobs per worker: {[sum(r.values()) for r in ready]}"
    )


async def _stored_digests(settings: Settings) -> dict[uuid.UUID, str]:
    """Each version's combined SHA-256 of the files in `artifact_files`."""
    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine)() as session:
            rows = (
                await session.execute(
                    select(
                        col(ArtifactFile.version_id),
                        col(ArtifactFile.name),
                        col(ArtifactFile.sha256),
                        col(ArtifactFile.data),
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    files: dict[uuid.UUID, dict[str, str]] = {}
    for version_id, name, sha256, data in rows:
        assert hashlib.sha256(data).hexdigest() == sha256, (version_id, name)
        files.setdefault(version_id, {})[name] = sha256
    assert all(set(HASHED_FILES) <= set(names) for names in files.values())
    return {version_id: combined_sha256(names) for version_id, names in files.items()}


async def test_apis_without_the_weights_serve_agents_trained_elsewhere(stack: Stack) -> None:
    """After the training test: the workers' MODEL_DIRs are on other "machines"; each API
    serves from what it materialised from the database (preloaded, or at the call)."""
    engine = make_engine(stack.settings)
    try:
        async with make_sessionmaker(engine)() as session:
            agents = (await session.scalars(select(Agent).order_by(col(Agent.name)))).all()
            emails = dict((await session.execute(select(col(User.id), col(User.email)))).all())
    finally:
        await engine.dispose()
    if not agents:
        pytest.skip("needs the agents of test_agents_across_two_apis_train_once_on_two_workers")
    body = {
        "user_segment": "short_term_trader",
        "stocks": ["AAPL"],
        "data_frequency": "1d",
        "prediction_horizon": "1d",
        "confidence_level": 0.6,
        "capital_at_risk": 0.02,
        "account_equity": 35_000,
    }
    served: dict[str, set[str]] = {"api1": set(), "api2": set()}
    started = time.monotonic()
    async with httpx.AsyncClient(timeout=60.0) as client:
        for i, base in enumerate(stack.apis):
            name = f"api{i + 1}"
            for agent in agents[i::2][:3]:
                body["agent_ids"] = {"AAPL": str(agent.id)}
                login = await client.post(
                    f"{base}/api/v1/auth/login",
                    data={"username": emails[agent.user_id], "password": PASSWORD},
                )
                assert login.status_code == 200, login.text
                headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
                response = await client.post(f"{base}/api/v1/predict", json=body, headers=headers)
                assert response.status_code == 200, f"{response.text}\n{stack.logs()}"
                assert response.json()["agent_id"] == str(agent.id)
                served[name].add(f"{agent.id}/{agent.serving_version_id}")
    elapsed = time.monotonic() - started
    serving = {f"{a.id}/{a.serving_version_id}" for a in agents}
    for name, expected in served.items():
        # What it served, among the versions it preloaded (no temporaries left either).
        cached = _cached(stack.model_dirs[name])
        assert expected <= cached <= serving, (name, cached, expected)
    print(
        f"\n{sum(map(len, served.values()))} agents served from the database store by APIs "
        f"with empty MODEL_DIRs in {elapsed:.1f} s"
    )


async def test_logout_on_one_api_is_honoured_by_the_other(stack: Stack) -> None:
    one, two = stack.apis
    async with httpx.AsyncClient(timeout=30.0) as client:
        email = random_email()
        response = await client.post(
            f"{one}/api/v1/auth/register",
            json={"email": email, "password": PASSWORD, "user_segment": "investor"},
        )
        assert response.status_code == 201, response.text
        tokens = (
            await client.post(
                f"{two}/api/v1/auth/login", data={"username": email, "password": PASSWORD}
            )
        ).json()
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        assert (await client.get(f"{two}/api/v1/auth/me", headers=headers)).status_code == 200

        assert (await client.post(f"{one}/api/v1/auth/logout", headers=headers)).status_code == 204
        response = await client.get(f"{two}/api/v1/auth/me", headers=headers)
        assert response.status_code == 401, response.text
        # Its refresh family went with it, on the other replica too.
        response = await client.post(
            f"{two}/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
        )
        assert response.status_code == 401, response.text


async def test_rate_limits_are_shared_between_apis(stack: Stack) -> None:
    async with httpx.AsyncClient(timeout=30.0) as client:
        base = stack.apis[0]
        email = random_email()
        response = await client.post(
            f"{base}/api/v1/auth/register",
            json={"email": email, "password": PASSWORD, "user_segment": "investor"},
        )
        assert response.status_code == 201, response.text
        token = (
            await client.post(
                f"{base}/api/v1/auth/login", data={"username": email, "password": PASSWORD}
            )
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        statuses: list[int] = []
        for i in range(RATE + 1):  # alternating: neither API alone sees more than 3
            response = await client.get(f"{stack.apis[i % 2]}/api/v1/auth/me", headers=headers)
            statuses.append(response.status_code)
    assert statuses == [200] * RATE + [429], statuses
    assert int(response.headers["Retry-After"]) >= 1
    assert response.json()["error"]["code"]

"""`POST /api/v1/predict` while idle and while the worker trains, in one run (SPEC §9).

Method.  The services-mode stack on this machine, as README's "Scaling out" runs
it with one replica of each: a throw-away PostgreSQL database (created from
``--postgres-url``, an administrative URL, and dropped after), a fresh Redis
namespace, ``python -m app.migrate``, one API (``uvicorn app.main:app``) and one
ARQ worker (``python -m app.tasks.worker``) with the
defaults that matter here spelled out: ``WORKER_MAX_JOBS=1`` and
``TRAINING_THREADS=1`` (the training child runs on one core, leaving the other
to the API).  Rate limits are off.

Through the API a quant creates a small agent (AAPL daily bars, an LSTM with
look-back 60 and 32 units, 2 epochs) and the worker trains it to READY.  Then
``/predict`` for one stock with that agent in ``agent_ids`` and
``Cache-Control: no-cache`` (the prediction cache is skipped; the model, the bars
and their feature rows stay in memory) is timed with N concurrent closed-loop
clients on keep-alive connections:

* idle: nothing else runs;
* training: a bigger agent (AAPL minute bars of a few months, a two-layer LSTM,
  many epochs) is created and, once the worker reports its first epoch (the
  child has imported TensorFlow and is inside ``fit``), the same requests are
  timed again.  The training must still be running when they end — its
  process's CPU time over the run is printed to show it was busy — and it is
  cancelled afterwards.

Every non-200 answer (or broken connection) is counted as an error; the run
goes on.  Target: training p99 ≤ 1.5 × idle p99, errors 0.

Run: ``PYTHONPATH=. .venv/bin/python bench/load.py`` (about three minutes; needs
PostgreSQL and Redis: ``--postgres-url``/``--redis-url``, defaulting to
``TEST_POSTGRES_URL``/``TEST_REDIS_URL`` or the local servers).  Last line:
``load idle_p99_ms=<a> training_p99_ms=<b> ratio=<b/a> errors=<n>``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _harness import BenchError, exchange, free_port, machine_busy_s, migrate, process_stat

from app.config import Settings

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.5
PASSWORD = "bench-" + secrets.token_urlsafe(12)
FEATURES = ["SMA", "EMA", "MACD", "volatility"]
TRAINING_NICE_DEFAULT = int(Settings.model_fields["training_nice"].default)


# --- the stack -----------------------------------------------------------------------


async def _admin(admin_url: str, sql: str) -> None:
    import asyncpg

    parts = urlsplit(admin_url)
    conn = await asyncpg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        database=(parts.path or "/postgres").lstrip("/") or "postgres",
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _forget_namespace(redis_url: str, namespace: str) -> None:
    from redis import Redis

    redis = Redis.from_url(redis_url)
    try:
        keys = list(redis.scan_iter(match=f"{namespace}:*", count=1000))
        if keys:
            redis.delete(*keys)
    finally:
        redis.close()


@contextmanager
def deployment(
    postgres_url: str, redis_url: str, keep: bool
) -> Iterator[tuple[Path, dict[str, str]]]:
    """A throw-away database, Redis namespace and directory, migrated; removed after."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    database = f"atp_bench_{uuid.uuid4().hex[:10]}"
    namespace = f"bench-load-{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(_admin(postgres_url, f'CREATE DATABASE "{database}"'))
    except (OSError, Exception) as exc:
        raise BenchError(f"PostgreSQL at {postgres_url} refused CREATE DATABASE: {exc}") from exc
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("RATE_LIMIT", "INFERENCE_", "TRAINING_", "WORKER_"))
    }
    env.update(
        {
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
            "DATABASE_URL": urlsplit(postgres_url)._replace(path=f"/{database}").geturl(),
            "REDIS_URL": redis_url,
            "REDIS_NAMESPACE": namespace,
            "SECRET_KEY": secrets.token_urlsafe(48),
            "ENVIRONMENT": "development",
            "VAR_DIR": str(workdir / "var"),
            "MODEL_DIR": str(workdir / "models"),
            "DATA_DIR": str(workdir / "data"),
            "RATE_LIMITS_ENABLED": "false",
            "WORKER_MAX_JOBS": "1",
            "TRAINING_THREADS": "1",
            "TF_CPP_MIN_LOG_LEVEL": "2",
        }
    )
    try:
        migrate(env, workdir)
        yield workdir, env
    finally:
        with suppress(Exception):
            asyncio.run(_admin(postgres_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        with suppress(Exception):
            _forget_namespace(redis_url, namespace)
        if keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


class Process:
    """A command of ours in its own process group (its children go with it), logged."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], workdir: Path) -> None:
        self.name = name
        self.log_path = workdir / f"{name}.log"
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, *args],
                env=env,
                cwd=workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def children_cpu_s(self) -> float:
        """CPU seconds its child processes (a worker's training process) have used."""
        return sum(process_cpu_s(pid) or 0.0 for pid in _children(self.proc.pid))

    def stop(self) -> None:
        for sig, wait_s in ((signal.SIGINT, 15.0), (signal.SIGKILL, 5.0)):
            if self.proc.poll() is not None:
                break
            with suppress(ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.proc.pid, sig)
                self.proc.wait(wait_s)
        with suppress(ProcessLookupError):  # whatever of its group outlived it
            os.killpg(self.proc.pid, signal.SIGKILL)

    def tail(self, lines: int = 20) -> str:
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(f"  {self.name} | {line}" for line in text[-lines:])


def start_api(env: dict[str, str], workdir: Path, timeout_s: float = 60.0) -> tuple[Process, int]:
    """`uvicorn app.main:app` on a free port, once `/readyz` answers 200."""
    port = free_port()
    api = Process(
        "api",
        ["-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)],
        env,
        workdir,
    )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if api.proc.poll() is not None:
            raise BenchError(f"the API exited with {api.proc.returncode}\n{api.tail()}")
        with suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1.0).status_code == 200:
                return api, port
        time.sleep(0.1)
    raise BenchError(f"the API was not ready within {timeout_s:.0f} s\n{api.tail()}")


def process_cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of one process, all its threads (Linux /proc)."""
    stat = process_stat(pid)
    return None if stat is None else stat[1]


def _busy_s() -> float:
    """`machine_busy_s`, which this script needs: it reads /proc throughout."""
    busy = machine_busy_s()
    if busy is None:
        raise BenchError("bench/load.py measures CPU time from Linux /proc")
    return busy


def own_cpu_s(processes: list[Process], database: str) -> float:
    """CPU seconds of the stack (the API, the worker, its training process, the
    PostgreSQL backends serving its database) and of these clients: the rest of
    `_busy_s` is someone else's load (Redis's small share included)."""
    pids = [pid for p in processes for pid in (p.proc.pid, *_children(p.proc.pid))]
    backend = f" {database} ".encode()  # "postgres: <user> <database> <client> <state>"
    for path in Path("/proc").glob("[0-9]*/cmdline"):
        with suppress(OSError):
            cmdline = path.read_bytes()
            if cmdline.startswith(b"postgres: ") and backend in cmdline:
                pids.append(int(path.parent.name))
    times = os.times()
    return sum(process_cpu_s(pid) or 0.0 for pid in pids) + times.user + times.system


def _children(pid: int) -> list[int]:
    found: list[int] = []
    with suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                found.extend([int(child), *_children(int(child))])
    return found


# --- agents through the API ----------------------------------------------------------


def serving_agent() -> dict[str, Any]:
    today = datetime.now(UTC).date()
    return {
        "name": "bench load: serving",
        "symbol": "AAPL",
        "data_source": "synthetic",
        "start_date": (today - timedelta(days=10 * 365)).isoformat(),
        "end_date": (today - timedelta(days=1)).isoformat(),
        "data_frequency": "1d",
        "prediction_horizon": "1d",
        "features": FEATURES,
        "model_preferences": {"architecture": "LSTM", "epochs": 2, "lookback": 60, "units": 32},
    }


def training_agent(days: int, epochs: int) -> dict[str, Any]:
    """Minute bars and a two-layer LSTM: each epoch takes several seconds on one thread."""
    today = datetime.now(UTC).date()
    return {
        "name": "bench load: training",
        "symbol": "MSFT",
        "data_source": "synthetic",
        "start_date": (today - timedelta(days=days)).isoformat(),
        "end_date": (today - timedelta(days=1)).isoformat(),
        "data_frequency": "1min",
        "prediction_horizon": "1h",
        "features": FEATURES,
        "model_preferences": {
            "architecture": "LSTM",
            "epochs": epochs,
            "lookback": 60,
            "units": 64,
            "layers": 2,
            "batch_size": 64,
        },
    }


class Api:
    """The set-up calls, as a quant would make them."""

    def __init__(self, port: int, worker: Process) -> None:
        self.port = port
        self.worker = worker
        self.client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
        self.auth: dict[str, str] = {}

    def call(
        self,
        method: str,
        path: str,
        status: int,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        response = self.client.request(
            method, path, headers={**self.auth, **(headers or {})}, **kwargs
        )
        if response.status_code != status:
            raise BenchError(f"{method} {path}: HTTP {response.status_code} {response.text[:500]}")
        body: dict[str, Any] = response.json() if response.content else {}
        return body

    def login(self) -> None:
        email = f"bench-{secrets.token_hex(4)}@example.com"
        self.call(
            "POST",
            "/api/v1/auth/register",
            201,
            json={"email": email, "password": PASSWORD, "user_segment": "quant"},
        )
        tokens = self.call(
            "POST", "/api/v1/auth/login", 200, data={"username": email, "password": PASSWORD}
        )
        self.auth = {"Authorization": f"Bearer {tokens['access_token']}"}

    def create(self, body: dict[str, Any]) -> str:
        return str(self.call("POST", "/api/v1/agents", 202, json=body)["agent_id"])

    def agent(self, agent_id: str) -> dict[str, Any]:
        return self.call("GET", f"/api/v1/agents/{agent_id}", 200)

    def wait(self, agent_id: str, done: Any, timeout_s: float, attempts: int = 1) -> float:
        """Poll until `done(agent)`; a run that does not converge is retrained (a new
        seed), as README says to.  Returns the seconds it took."""
        started = time.perf_counter()
        attempt, agent = 1, {}
        while time.perf_counter() - started < timeout_s:
            agent = self.agent(agent_id)
            if done(agent):
                return time.perf_counter() - started
            if agent["status"] in ("FAILED", "CANCELLED"):
                failure = (
                    f"agent {agent_id} is {agent['status']} at "
                    f"{agent.get('failure_stage')}: {agent.get('failure_reason')}"
                )
                if agent.get("failure_stage") != "TRAINING" or attempt >= attempts:
                    raise BenchError(f"{failure}\n{self.worker.tail()}")
                attempt += 1
                print(f"  {failure}; retraining (attempt {attempt} of {attempts})")
                self.call("POST", f"/api/v1/agents/{agent_id}/retrain", 202)
            time.sleep(0.5)
        raise BenchError(
            f"agent {agent_id} still {agent.get('status')} after {timeout_s:.0f} s"
            f"\n{self.worker.tail()}"
        )

    def predict_request(self, agent_id: str) -> bytes:
        """`/predict` for one stock, pre-encoded: the clients only write and read bytes."""
        body = json.dumps(
            {
                "user_segment": "investor",
                "stocks": ["AAPL"],
                "data_frequency": "1d",
                "prediction_horizon": "1d",
                "confidence_level": 0.6,
                "capital_at_risk": 0.02,
                "agent_ids": {"AAPL": agent_id},
            }
        ).encode()
        self.call(
            "POST",
            "/api/v1/predict",
            200,
            content=body,  # loads the model
            headers={"Cache-Control": "no-cache", "Content-Type": "application/json"},
        )
        head = [
            "POST /api/v1/predict HTTP/1.1",
            f"Host: 127.0.0.1:{self.port}",
            f"Authorization: {self.auth['Authorization']}",
            "Content-Type: application/json",
            "Cache-Control: no-cache",
            f"Content-Length: {len(body)}",
        ]
        return ("\r\n".join(head) + "\r\n\r\n").encode() + body


# --- the load generator --------------------------------------------------------------


@dataclass(frozen=True)
class Phase:
    label: str
    clients: int
    latencies_s: np.ndarray
    errors: int
    wall_s: float
    other_cores: float  # cores kept busy by processes outside the stack and the clients
    training_cpu_s: float | None = None

    @property
    def p50_ms(self) -> float:
        return float(np.percentile(self.latencies_s, 50) * 1e3)

    @property
    def p99_ms(self) -> float:
        return float(np.percentile(self.latencies_s, 99) * 1e3)

    def line(self) -> str:
        n = len(self.latencies_s)
        training = (
            ""
            if self.training_cpu_s is None
            else f"  training process CPU {self.training_cpu_s:.1f} s in {self.wall_s:.1f} s"
        )
        return (
            f"  {self.label:<15} clients {self.clients}  p50 {self.p50_ms:6.2f} ms  "
            f"p99 {self.p99_ms:6.2f} ms  {n / self.wall_s:6.1f} req/s  "
            f"errors {self.errors}  (n={n})  other load {self.other_cores:.2f} cores"
            f"{training}"
        )


async def _load(port: int, raw: bytes, total: int, clients: int) -> tuple[list[float], int, float]:
    remaining, errors = total, 0
    latencies: list[float] = []

    async def client() -> None:
        nonlocal remaining, errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while remaining > 0:
            remaining -= 1
            started = time.perf_counter()
            try:
                status, _ = await exchange(reader, writer, raw)
            except (OSError, asyncio.IncompleteReadError, ValueError, IndexError, BenchError):
                errors += 1  # and a new connection, as a client library would open
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                continue
            latencies.append(time.perf_counter() - started)
            errors += status != 200
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies, errors, time.perf_counter() - started


def measure(
    label: str,
    port: int,
    raw: bytes,
    total: int,
    clients: int,
    processes: list[Process],
    database: str,
    worker: Process | None = None,
) -> Phase:
    """`total` requests from `clients` closed-loop clients (on uvloop when installed)."""
    try:
        import uvloop
    except ImportError:
        factory = None
    else:
        factory = uvloop.new_event_loop
    cpu_before = worker.children_cpu_s() if worker else 0.0
    with asyncio.Runner(loop_factory=factory) as runner:
        busy, own = _busy_s(), own_cpu_s(processes, database)
        latencies, errors, wall = runner.run(_load(port, raw, total, clients))
        other = (_busy_s() - busy) - (own_cpu_s(processes, database) - own)
    cpu = worker.children_cpu_s() - cpu_before if worker else None
    if not latencies:
        raise BenchError(f"{label}: every request failed")
    return Phase(label, clients, np.asarray(latencies), errors, wall, max(other / wall, 0.0), cpu)


# --- the run -------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="administrative URL; a throw-away database is created from it",
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (default 4)")
    parser.add_argument(
        "--requests", type=int, default=3000, help="requests timed in each phase (default 3000)"
    )
    parser.add_argument("--warmup", type=int, default=200, help="warm-up requests (default 200)")
    parser.add_argument(
        "--training-days",
        type=int,
        default=120,
        help="calendar days of minute bars of the training agent (default 120)",
    )
    parser.add_argument("--training-epochs", type=int, default=50)
    parser.add_argument("--train-timeout", type=float, default=300.0)
    parser.add_argument(
        "--training-nice",
        type=int,
        default=None,
        help=f"TRAINING_NICE for the worker (default: the app's, {TRAINING_NICE_DEFAULT})",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary directory (logs, weights)"
    )
    args = parser.parse_args()

    signal.signal(signal.SIGTERM, signal.default_int_handler)
    busy = _busy_s()
    time.sleep(1.0)
    print(f"machine busy before the run: {_busy_s() - busy:.2f} of {os.cpu_count()} cores")
    processes: list[Process] = []
    try:
        with deployment(args.postgres_url, args.redis_url, args.keep) as (workdir, env):
            nice = TRAINING_NICE_DEFAULT if args.training_nice is None else args.training_nice
            env["TRAINING_NICE"] = str(nice)
            database = urlsplit(env["DATABASE_URL"]).path.lstrip("/")
            started = time.perf_counter()
            api_process, port = start_api(env, workdir)
            processes.append(api_process)
            worker = Process("worker", ["-m", "app.tasks.worker"], env, workdir)
            processes.append(worker)
            print(
                f"API ready in {time.perf_counter() - started:.1f} s; one ARQ worker "
                f"(WORKER_MAX_JOBS=1, TRAINING_THREADS=1, TRAINING_NICE={nice}); "
                "PostgreSQL + Redis"
            )
            api = Api(port, worker)
            api.login()
            serving_id = api.create(serving_agent())
            took = api.wait(
                serving_id, lambda a: a["status"] == "READY", args.train_timeout, attempts=4
            )
            print(
                f"serving agent READY after {took:.1f} s "
                "(AAPL 1d, LSTM look-back 60, 32 units, 2 epochs)"
            )
            raw = api.predict_request(serving_id)
            measure("warm-up", port, raw, args.warmup, args.clients, processes, database)
            idle = measure("idle", port, raw, args.requests, args.clients, processes, database)

            training_id = api.create(training_agent(args.training_days, args.training_epochs))
            took = api.wait(
                training_id,
                lambda a: (
                    a["status"] == "TRAINING" and (a.get("progress") or {}).get("epoch", 0) >= 1
                ),
                args.train_timeout,
            )
            progress = api.agent(training_id)["progress"]
            print(
                f"training agent at epoch {progress['epoch']}/{progress['epochs']} after "
                f"{took:.1f} s (MSFT 1min, {args.training_days} days, LSTM 2 × 64 units)"
            )
            measure("warm-up", port, raw, args.warmup, args.clients, processes, database, worker)
            training = measure(
                "while training",
                port,
                raw,
                args.requests,
                args.clients,
                processes,
                database,
                worker,
            )
            still = api.agent(training_id)
            if still["status"] != "TRAINING":
                raise BenchError(
                    f"the training ended ({still['status']}) before the "
                    "measurement did: use more --training-days or epochs"
                )
            print(
                f"training agent still TRAINING at epoch {still['progress'].get('epoch')}"
                "; cancelling it"
            )
            api.call("POST", f"/api/v1/agents/{training_id}/cancel", 200)
    except BenchError as exc:
        sys.exit(f"bench/load.py: {exc}")
    except KeyboardInterrupt:
        sys.exit("bench/load.py: interrupted")
    finally:
        for process in reversed(processes):
            process.stop()

    errors = idle.errors + training.errors
    ratio = training.p99_ms / idle.p99_ms
    print("POST /api/v1/predict, 1 stock, agent_ids, Cache-Control: no-cache:")
    print(idle.line())
    print(training.line())
    print(
        f"target (SPEC §9): p99 while training <= {TARGET_RATIO:g} × idle p99, errors 0: "
        f"ratio {ratio:.2f} {'met' if ratio <= TARGET_RATIO else 'MISSED'}, "
        f"errors {errors} {'met' if errors == 0 else 'MISSED'}"
    )
    print(
        f"load idle_p99_ms={idle.p99_ms:.2f} training_p99_ms={training.p99_ms:.2f} "
        f"ratio={ratio:.2f} errors={errors}"
    )


if __name__ == "__main__":
    main()

"""The API as `uvicorn app.main:app` runs it: a real server process on a free port.

For what only a real process shows: its start-up (lifespan, migration, a refusal to
start and its exit status, the log lines) and a browser talking to it over TCP.
The process gets a clean environment (no inherited DATABASE_URL, REDIS_URL, ...)
and runs in a directory of its own, so no `.env` file is read.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.utils.backends import TEST_SECRET
from tests.utils.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
# Settings the server must not inherit from the shell that runs the tests.
_CLEARED = (
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "VAR_DIR",
    "MODEL_DIR",
    "DATA_DIR",
    "ENVIRONMENT",
    "ARTIFACT_STORE",
)


@dataclass
class LiveServer:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def server_env(workdir: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.upper() not in _CLEARED}
    env.update(
        PYTHONPATH=str(ROOT),
        ENVIRONMENT="test",
        SECRET_KEY=TEST_SECRET,
        VAR_DIR=str(workdir / "var"),
        DATA_DIR=str(workdir / "data"),
        OUTCOMES_INTERVAL_S="0",
        TF_CPP_MIN_LOG_LEVEL="2",
    )
    env.update({name.upper(): value for name, value in settings.items()})
    return env


def start_server(workdir: Path, **settings: str) -> LiveServer:
    """Start `uvicorn app.main:app` with `settings` as environment variables; it may
    still be starting (or failing to) when this returns."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = workdir / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "app.main:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-proxy-headers",
            ],
            cwd=workdir,
            env=server_env(workdir, **settings),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return LiveServer(process, f"http://127.0.0.1:{port}", log)


def wait_until_serving(server: LiveServer, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(
                f"the server exited with {server.process.returncode}:\n{server.output()}"
            )
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{server.url}/healthz", timeout=1.0).status_code == 200:
                return
        time.sleep(0.1)
    raise AssertionError(f"the server did not answer within {timeout} s:\n{server.output()}")


def stop_server(server: LiveServer) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(15)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(5)


@contextlib.contextmanager
def live_server(workdir: Path, **settings: str) -> Iterator[LiveServer]:
    """A server that is answering `/healthz`, stopped afterwards."""
    server = start_server(workdir, **settings)
    try:
        wait_until_serving(server)
        yield server
    finally:
        stop_server(server)

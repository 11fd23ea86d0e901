"""What the HTTP benchmarks (bench/predict.py, bench/load.py) share: the error they
stop with, a free port, the migration of a throw-away deployment, the machine's and
a process's busy time, the host's steal, the cores' speeds, the libraries' versions,
and one raw HTTP/1.1 exchange on a keep-alive connection.

The clients are raw asyncio streams with pre-encoded requests, not an HTTP
library: on a 2-core machine they share the CPU with the server they measure,
so their own cost must stay small.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path


class BenchError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def migrate(env: dict[str, str], workdir: Path) -> None:
    """`python -m app.migrate` in the deployment's environment, as scripts/start runs it."""
    migrated = subprocess.run(
        [sys.executable, "-m", "app.migrate"],
        env=env,
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    if migrated.returncode:
        raise BenchError(f"migration failed:\n{migrated.stderr.decode(errors='replace')}")


def _cpu_ticks() -> list[int] | None:
    """The machine's CPU time by state, all cores (/proc/stat's first line: user, nice,
    system, idle, iowait, irq, softirq, steal); None where there is no /proc."""
    try:
        return [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return None


def machine_cpu_s() -> tuple[float | None, float | None]:
    """From one reading: CPU seconds the whole machine has been busy, all cores (idle,
    iowait and steal excluded), and those the host gave other guests while this
    machine's cores wanted to run (steal: it slows every figure of a run, and no process
    here shows it); each None where /proc cannot tell."""
    ticks = _cpu_ticks()
    if ticks is None:
        return None, None
    tick = os.sysconf("SC_CLK_TCK")
    busy = (sum(ticks[:7]) - ticks[3] - ticks[4]) / tick
    return busy, (ticks[7] / tick if len(ticks) >= 8 else None)


def machine_busy_s() -> float | None:
    """`machine_cpu_s`'s busy seconds alone."""
    return machine_cpu_s()[0]


def reference_loops_ms(repeats: int = 3) -> list[float]:
    """A fixed pure-Python loop's time (the best of `repeats`) on each core in turn (one
    reading, unpinned, where a process cannot choose its core): how fast each runs now.
    Load on the host slows one core or both, for seconds, where neither the busy time nor
    the steal shows: readings here went from 5.8 to 11.3 ms and back, on one core at a
    time. A one-client run is as fast as the core its worker happens to run on."""
    try:
        cores = sorted(os.sched_getaffinity(0))
    except AttributeError:  # no affinity on this platform
        return [_loop_ms(repeats)]
    readings = []
    try:
        for core in cores:
            os.sched_setaffinity(0, {core})
            readings.append(_loop_ms(repeats))
    finally:
        os.sched_setaffinity(0, cores)
    return readings


def _loop_ms(repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        total = 0
        for i in range(200_000):
            total += i * i
        best = min(best, time.perf_counter() - started)
    return best * 1e3


def delta(before: float | None, after: float | None) -> float | None:
    """`after - before` of two readings above; None when either could not be taken."""
    return None if before is None or after is None else after - before


# What a /predict or a training run spends its time in.
STACK = (
    "fastapi",
    "starlette",
    "pydantic-core",
    "sqlalchemy",
    "uvicorn",
    "tensorflow",
    "tensorflow-cpu",
    "keras",
    "jax",
    "numpy",
)


def stack_versions() -> str:
    """The versions a run measured: constraints.txt pins them until `scripts/lock`
    refreshes it, so figures of two runs compare only when this line is the same."""
    from importlib.metadata import PackageNotFoundError, version

    found = [f"python {sys.version.split()[0]}"]
    for name in STACK:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            continue
    return ", ".join(found)


def process_stat(pid: int | str) -> tuple[int, float] | None:
    """A process's group and its user + system CPU seconds, all its threads (Linux
    /proc); None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[2]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes
) -> tuple[int, bytes]:
    """One request/response on a keep-alive connection: (status, body)."""
    writer.write(raw)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunks.append(await reader.readexactly(size + 2))
            if size == 0:
                break
        body = b"".join(c[:-2] for c in chunks)
    else:
        raise BenchError(f"response without a length: {head!r}")
    if headers.get("connection", "").lower() == "close":
        raise BenchError(f"the server closed the connection: HTTP {status} {body[:300]!r}")
    return status, body

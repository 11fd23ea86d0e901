"""Capacity: one API process serving ≥ 1,000 READY agents under a Zipf(1.1) access
pattern, with a memory-budgeted model cache, beside the floor.

SPEC §9's second wave: one API process serves ≥ 1,000 READY agents under a Zipf(1.1)
access pattern with p99 ≤ 5 × the floor's p99 once warm.

Method. A fresh embedded deployment (bench/predict.py's `deployment`: SQLite, rate
limits off) is served by one uvicorn process (bench/predict.py's `Server`, the same
command) with ``MODEL_PRELOAD_COUNT=0`` and the default ``MODEL_CACHE_MB`` (or one sized
to hold ``--cache-models`` models by the cache's own per-model estimate, so that it
evicts). Agents of one structure share its graph and each keeps its weights only (≈ 0.1
MiB: bench/model_memory.py), so the default budget holds all of them. A small LSTM
(1-minute bars, 1 h ahead, look-back 60, 32 units, one epoch) is trained once by the
training job's code, and ``--agents`` READY agents (default 1,000) of one quant are
inserted, each serving its own copy of it in its own version directory
(bench/_agents.py, as tests/utils/serving.py's `ready_agent`). Agent k of the ranking is
asked for with probability ∝ k^-1.1 (a Zipf law bounded to the agents); every request is
``/predict`` for one stock with ``Cache-Control: no-cache``, as in bench/predict.py.
Every agent is asked for once (``--cold-tail``: not), then ``--warmup`` draws warm the
cache (default 800), then ``--requests`` draws (default 800) are timed with one client
(p50, p99), then as many with ``--clients`` concurrent clients (throughput). Since one
client's requests reach the cache in the order they are sent, an LRU of the cache's size
replayed here tells which of them were misses (loads); their share and the hits' p99 are
printed too. The floor (bench/floor_app.py, one process, same command) is served beside
it and driven with the same token, the same request bodies in the same order and the
same clients, in turns with ours (``--rounds`` parts of each sequence, 4 by default), so
that a change of the cores' speed during the run reaches both.

Run: ``PYTHONPATH=. .venv/bin/python bench/capacity.py`` (about four minutes on 2
cores; bench/model_memory.py's figures are taken at the end).  Last line: ``capacity
agents=<n> rss_mb_lstm=.. rss_mb_cnn=.. rss_mb_transformer=.. zipf_p99_ms=<b>
zipf_ratio=<b/f> p50_ms=<a> p99_ms=<b> rps=<c>
floor_p99_ms=<f> p99_ratio=<b/f> cache_models=<m> rss_mb=<r> rss_mb_per_agent=<g> miss_rate=<x>
hit_p99_ms=<h> requests=<q> clients=<k> errors=<e>`` (``p50_ms``/``p99_ms``: one client;
``rps``: ``--clients``; ``cache_models``: the models the byte budget holds, the
cache's estimate being the same for every copy; ``rss_mb``: the API process's
resident memory at the end; ``rss_mb_per_agent``: its growth from the first answer,
which imports TensorFlow, to the end, per further agent asked for).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import functools
import json
import math
import signal
import subprocess
import sys
import time
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from _agents import run_child
from _harness import BenchError, exchange, stack_versions
from predict import (
    FLOOR_APP,
    Run,
    Server,
    deployment,
    group_cpu_s,
    in_turns,
    predict_request,
    register,
    timed,
    wait_quiet,
)

from app.config import Settings

TARGET_P99_RATIO = 5.0  # p99 <= 5 x the floor's, once warm (SPEC §9)
ZIPF_S = 1.1
MIB = 1024 * 1024


def zipf_draws(rng: np.random.Generator, n: int, size: int) -> np.ndarray:
    """`size` ranks in [0, n), rank k (1-based) with probability ∝ k^-ZIPF_S."""
    weights = np.arange(1, n + 1, dtype=np.float64) ** -ZIPF_S
    return rng.choice(n, size=size, p=weights / weights.sum())


def lru_misses(sequence: Sequence[int], capacity: int, cache: OrderedDict[int, None]) -> np.ndarray:
    """Replay `sequence` through an LRU of `capacity` (updating `cache`): a miss flag
    per access, as `ModelCache` sees one client's requests."""
    misses = np.zeros(len(sequence), dtype=bool)
    for i, key in enumerate(sequence):
        if key in cache:
            cache.move_to_end(key)
            continue
        misses[i] = True
        cache[key] = None
        while len(cache) > capacity:
            cache.popitem(last=False)
    return misses


ERRORS: list[str] = []  # every answer other than 200, in order (the first few kept)
ERROR_COUNT = [0]


async def _drive(port: int, raws: Sequence[bytes], clients: int) -> tuple[np.ndarray, float]:
    """`raws` in order, shared by `clients` closed-loop clients: latency per request
    (indexed as `raws`) and the wall time. An answer other than 200 is counted (and
    its latency kept), not fatal: the line says how many."""
    latencies = np.zeros(len(raws))
    position = 0

    async def client() -> None:
        nonlocal position
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while position < len(raws):
                i, position = position, position + 1
                started = time.perf_counter()
                status, body = await exchange(reader, writer, raws[i])
                latencies[i] = time.perf_counter() - started
                if status != 200:
                    ERROR_COUNT[0] += 1
                    if len(ERRORS) < 3:
                        ERRORS.append(f"HTTP {status} {body[:300]!r}")
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies, time.perf_counter() - started


def drive(server: Server, raws: Sequence[bytes], clients: int) -> Run:
    """bench/predict.py's `load`, for a sequence of requests: the run and the CPU."""
    return timed(server, clients, lambda: _drive(server.port, raws, clients))


def settle(server: Server, patience_s: float) -> None:
    """Wait (a while) until the server stops working on its own: the XLA compilations
    its loads queued on its background thread."""
    assert server.proc is not None
    deadline = time.monotonic() + patience_s
    while time.monotonic() < deadline:
        before = group_cpu_s(server.proc.pid)
        time.sleep(1.0)
        after = group_cpu_s(server.proc.pid)
        if before is None or after is None or after - before < 0.1:
            return
    print(f"  the server was still busy after {patience_s:.0f} s")


def rss_mb(pid: int) -> float:
    """A process's resident set, MiB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def token_subject(token: str) -> str:
    """The user id a JWT was issued to (its ``sub``; read, not verified)."""
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return str(claims["sub"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=1000, help="READY agents (default 1000)")
    parser.add_argument(
        "--cache-models",
        type=int,
        default=None,
        help="size MODEL_CACHE_MB to hold this many models by the cache's estimate, so "
        "that it evicts (default: the setting's default budget)",
    )
    parser.add_argument("--warmup", type=int, default=800, help="warm-up draws (default 800)")
    parser.add_argument(
        "--cold-tail",
        action="store_true",
        help="warm up with the Zipf draws only, so that the timed draws still meet agents "
        "never asked for (their first call loads them); by default every agent is asked "
        "for once before the warm-up draws",
    )
    parser.add_argument(
        "--requests", type=int, default=800, help="measured draws of each run (default 800)"
    )
    parser.add_argument(
        "--clients", type=int, default=4, help="clients of the throughput run (default 4)"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=4,
        help="turns of ours and the floor each run is cut into (default 4)",
    )
    parser.add_argument("--seed", type=int, default=0, help="the draws' random seed")
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=30.0,
        help="seconds to wait for other work on the machine to stop (default 30)",
    )
    parser.add_argument("--start-timeout", type=float, default=60.0)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    print(f"stack: {stack_versions()}")

    signal.signal(signal.SIGTERM, signal.default_int_handler)
    servers: list[Server] = []
    started = time.perf_counter()
    try:
        with deployment(args.keep) as (workdir, env):
            artifact = workdir / "artifact"
            built = run_child(env, workdir, "build", str(artifact))
            estimate = int(built["estimated_bytes"])
            budget_mb = (
                Settings.model_fields["model_cache_mb"].default
                if args.cache_models is None
                else math.ceil(args.cache_models * estimate / MIB)
            )
            cache_models = min(args.agents, budget_mb * MIB // estimate)
            result_path = workdir / "result.json"
            result_path.write_text(json.dumps(built["result"]))
            print(
                f"artifact trained in {time.perf_counter() - started:.1f} s; the cache charges "
                f"{estimate / MIB:.2f} MiB per model: MODEL_CACHE_MB={budget_mb} holds "
                f"{cache_models}"
            )

            api_env = {**env, "MODEL_CACHE_MB": str(budget_mb), "MODEL_PRELOAD_COUNT": "0"}
            server = Server(api_env, workdir, "capacity")
            servers.append(server)
            print(f"api server up in {server.start(args.start_timeout):.1f} s (1 process)")
            token = register(server.base)
            # The agents are inserted while no server runs: a process that closes its
            # SQLite connections beside a live embedded API has corrupted the database
            # here (see bench/_agents.py).
            server.stop()
            seeded = time.perf_counter()
            agents = run_child(
                env, workdir, "seed", token_subject(token), str(artifact), str(result_path),
                str(args.agents),
            )["agents"]  # fmt: skip
            print(f"{len(agents)} READY agents inserted in {time.perf_counter() - seeded:.1f} s")
            server = Server(api_env, workdir, "capacity")
            servers.append(server)
            print(f"api server up in {server.start(args.start_timeout):.1f} s again")

            rng = np.random.default_rng(args.seed)
            order = rng.permutation(len(agents))  # rank -> agent
            warm = order[zipf_draws(rng, len(agents), args.warmup)]
            if not args.cold_tail:  # "once warm": every agent asked for once first
                warm = np.concatenate([order, warm])
            single_seq = order[zipf_draws(rng, len(agents), args.requests)]
            loaded_seq = order[zipf_draws(rng, len(agents), args.requests)]
            requests = [predict_request(token, agent) for agent in agents]

            def raws(port: int, sequence: np.ndarray) -> list[bytes]:
                encoded = [request.encode(port) for request in requests]
                return [encoded[i] for i in sequence]

            def play(one: Server, clients: int, part: np.ndarray) -> Run:
                return drive(one, raws(one.port, part), clients)

            assert server.proc is not None
            lru: OrderedDict[int, None] = OrderedDict()
            # The first answer imports TensorFlow and builds the structure's graph: the
            # memory per agent is counted from there.
            warm_misses = lru_misses(warm[:1].tolist(), cache_models, lru)
            drive(server, raws(server.port, warm[:1]), 1)
            rss_before = rss_mb(server.proc.pid)
            warm_misses = np.concatenate(
                [warm_misses, lru_misses(warm[1:].tolist(), cache_models, lru)]
            )
            warming = drive(server, raws(server.port, warm[1:]), 1)
            print(
                f"warm-up: {len(warm)} draws, {int(warm_misses.sum())} loads, "
                f"{warming.wall_s:.1f} s; {len(set(warm.tolist()))} distinct agents"
            )
            settle(server, args.wait_quiet)  # its XLA backlog is not "other work"
            asked = len({*warm.tolist(), *single_seq.tolist(), *loaded_seq.tolist()})

            # The floor beside it, timed in turns with it on the same draws (see
            # bench/predict.py's `measure`: the cores' speed moves within a run).
            floor_server = Server(env, workdir, "floor", app=FLOOR_APP)
            servers.append(floor_server)
            print(f"floor server up in {floor_server.start(args.start_timeout):.1f} s")
            drive(floor_server, raws(floor_server.port, warm[: max(200, len(warm) // 4)]), 1)
            wait_quiet(args.wait_quiet)
            misses = lru_misses(single_seq.tolist(), cache_models, lru)
            single_turns, loaded_turns = (
                in_turns(
                    np.array_split(sequence, args.rounds),
                    {
                        "ours": functools.partial(play, server, clients),
                        "floor": functools.partial(play, floor_server, clients),
                    },
                )
                for sequence, clients in ((single_seq, 1), (loaded_seq, args.clients))
            )
            single, floor_single = single_turns["ours"], single_turns["floor"]
            loaded, floor_loaded = loaded_turns["ours"], loaded_turns["floor"]
            rss_after = rss_mb(server.proc.pid)
            floor_server.stop()
            server.stop()
    except BenchError as exc:
        sys.exit(f"bench/capacity.py: {exc}")
    except KeyboardInterrupt:
        sys.exit("bench/capacity.py: interrupted")
    finally:
        for server in servers:
            server.stop()

    if ERROR_COUNT[0]:
        print(f"WARNING: {ERROR_COUNT[0]} answers other than 200, the first: {ERRORS}")
    hits = single.latencies_s[~misses]
    miss_lat = single.latencies_s[misses]
    hit_p99 = float(np.percentile(hits, 99) * 1e3) if len(hits) else float("nan")
    miss_p50 = float(np.percentile(miss_lat, 50) * 1e3) if len(miss_lat) else float("nan")
    miss_rate = float(misses.mean())
    p99_ratio = single.p99_ms / floor_single.p99_ms
    print(
        f"POST /api/v1/predict, {len(agents)} READY agents, Zipf({ZIPF_S}) draws, "
        f"Cache-Control: no-cache; one API process, cache of {cache_models} models "
        f"(MODEL_CACHE_MB={budget_mb}):"
    )
    print(single.line("platform"))
    print(loaded.line("platform"))
    print(floor_single.line(f"floor ({FLOOR_APP})"))
    print(floor_loaded.line(f"floor ({FLOOR_APP})"))
    print(
        f"  one client: {int(misses.sum())} of {len(misses)} requests were loads "
        f"({miss_rate:.1%}; p50 {miss_p50:.1f} ms), the hits' p99 {hit_p99:.2f} ms "
        f"({hit_p99 / floor_single.p99_ms:.1f} x the floor's p99)"
    )
    per_agent = (rss_after - rss_before) / max(1, asked - 1)
    print(
        f"  API process resident memory {rss_before:.0f} MiB after its first answer "
        f"(TensorFlow imported, the structure's graph built), {rss_after:.0f} MiB at the "
        f"end with {asked} agents asked for: {per_agent:.3f} MiB per further agent"
    )
    verdict = "met" if p99_ratio <= TARGET_P99_RATIO else "MISSED"
    print(
        f"target (SPEC §9): p99 <= {TARGET_P99_RATIO:g} x the floor's p99 once warm: "
        f"{p99_ratio:.1f} x, {verdict}; {time.perf_counter() - started:.0f} s in all"
    )
    memory = model_memory()
    print(
        f"capacity agents={len(agents)} {memory} zipf_p99_ms={single.p99_ms:.2f} "
        f"zipf_ratio={p99_ratio:.2f} p50_ms={single.p50_ms:.2f} p99_ms={single.p99_ms:.2f} "
        f"rps={loaded.rps:.1f} floor_p99_ms={floor_single.p99_ms:.2f} p99_ratio={p99_ratio:.2f} "
        f"cache_models={cache_models} rss_mb={rss_after:.0f} "
        f"rss_mb_per_agent={per_agent:.3f} miss_rate={miss_rate:.3f} "
        f"hit_p99_ms={hit_p99:.2f} requests={len(single_seq)} clients={args.clients} "
        f"errors={ERROR_COUNT[0]}"
    )


def model_memory() -> str:
    """Resident memory per cached model of each architecture (bench/model_memory.py,
    run in its own processes): its ``rss_mb_*`` keys."""
    done = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("model_memory.py"))],
        capture_output=True,
        text=True,
    )
    if done.returncode:
        return "rss_mb_lstm=nan rss_mb_cnn=nan rss_mb_transformer=nan"
    last = done.stdout.strip().splitlines()[-1]
    print("  " + "\n  ".join(done.stdout.strip().splitlines()[:-1]))
    return " ".join(part for part in last.split() if part.startswith("rss_mb_"))


if __name__ == "__main__":
    main()

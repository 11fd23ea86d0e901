"""The backtest job: the version's forecasts over the period, replayed through the rule.

The work is done in a "spawn"ed child, as training is (TensorFlow is never loaded
into the worker's own process, and a crash there is a lost attempt, not a lost
worker); the job holds the row's lease and beats its heartbeat meanwhile. What the
request got wrong (no bars in the period) fails at once; what went wrong around it
(a vendor outage, a killed child) is retried while attempts remain, then FAILED with
the reason. A worker that dies with the job leaves it to the sweep (`tasks.reaper`).
"""

from __future__ import annotations

import asyncio
import io
import logging
import multiprocessing
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import Connection
from typing import Any

import numpy as np
import polars as pl

from app.core.calendars import calendar_for, calendar_of_instrument
from app.models import Agent, AgentVersion, Backtest
from app.services import artifact_store, backtests
from app.services.market_data.base import MarketDataError, MarketDataUnavailable
from app.services.market_data.frequency import calendar_span, horizon_bars
from app.services.predictions.service import bars_needed, currency_of
from app.services.sentiment import add_sentiment
from app.tasks.context import JobContext
from app.tasks.supervisor import exit_with_parent, lower_priority

logger = logging.getLogger(__name__)


class _Verdict(Exception):
    """The request cannot be backtested as asked: FAILED at once, not retried."""


@dataclass(frozen=True)
class BacktestSpec:
    """What the child needs: the version's files, the bars and the resolved request."""

    directory: str
    sha256: str
    symbol: str
    frequency: str
    horizon_bars: int
    features: list[str]
    period_start: datetime
    period_end: datetime
    request: dict[str, Any]
    calendar: str = "XNYS"  # the exchange-calendars name of the instrument's sessions
    currency: str = "USD"  # the quote's (GBX: pence)
    threads: int = 1
    nice: int = 0


async def run_backtest_job(ctx: JobContext, backtest_id: uuid.UUID) -> str:
    async with ctx.sessionmaker() as session:
        lease = await backtests.claim(session, backtest_id)
        await session.commit()
    if lease is None:  # another delivery holds it, or it already ended
        return "skipped"
    try:
        spec, bars = await _prepare(ctx, backtest_id)
        async with ctx.sessionmaker() as session:
            await backtests.heartbeat(session, backtest_id, lease, {"stage": "forecasting"})
            await session.commit()
        result = await _in_child(ctx, backtest_id, lease, spec, bars)
    except _Verdict as exc:
        return await _give_back(ctx, backtest_id, lease, str(exc), retry=False)
    except MarketDataUnavailable as exc:
        return await _give_back(ctx, backtest_id, lease, exc.message, retry=True)
    except MarketDataError as exc:
        return await _give_back(ctx, backtest_id, lease, exc.message, retry=False)
    except Exception as exc:
        logger.exception("backtest %s failed", backtest_id)
        reason = f"unexpected {type(exc).__name__}: {exc}"
        return await _give_back(ctx, backtest_id, lease, reason, retry=True)
    async with ctx.sessionmaker() as session:
        await backtests.succeed(session, backtest_id, lease, result)
        await session.commit()
    return "SUCCEEDED"


async def _give_back(
    ctx: JobContext, backtest_id: uuid.UUID, lease: str, reason: str, *, retry: bool
) -> str:
    async with ctx.sessionmaker() as session:
        state = await backtests.fail(session, backtest_id, lease, reason, retry=retry)
        row = await session.get(Backtest, backtest_id)
        attempts = row.attempts if row else 0
        await session.commit()
    if state == "QUEUED":
        await ctx.queue.enqueue(backtest_id, attempts + 1, backtests.BACKTEST_FUNCTION)
    logger.info("backtest %s: %s (%s)", backtest_id, state, reason)
    return str(state)


async def _prepare(ctx: JobContext, backtest_id: uuid.UUID) -> tuple[BacktestSpec, bytes]:
    async with ctx.sessionmaker() as session:
        row = await session.get(Backtest, backtest_id)
        assert row is not None
        agent = await session.get(Agent, row.agent_id)
        version = await session.get(AgentVersion, row.version_id)
    if agent is None or version is None or not version.sha256:
        raise _Verdict("the agent or its version was deleted")
    store = artifact_store.ArtifactStore(ctx.settings, ctx.sessionmaker)
    directory = await store.local_copy(
        agent.id, version.id, version.weights_path or "", version.sha256
    )
    lookback = int(version.preprocessing["lookback"])
    start, end = backtests.period_bounds(row.request)
    # Warm-up: the look-back and the indicators' history before the first decision.
    calendar = calendar_of_instrument(agent.instrument, agent.symbol)
    warmup = calendar_span(
        agent.data_frequency,
        bars_needed(agent.features, agent.data_frequency, lookback),
        calendar=calendar,
    )
    provider = ctx.market_data.provider(agent.data_source)
    bars = await provider.fetch_bars(agent.symbol, agent.data_frequency, start - warmup, end)
    if agent.sentiment_enabled:
        bars, _ = await add_sentiment(bars, agent.symbol, ctx.market_data.news_source())
    spec = BacktestSpec(
        directory=directory or version.weights_path or "",
        sha256=version.sha256,
        symbol=agent.symbol,
        frequency=agent.data_frequency,
        horizon_bars=int(
            version.preprocessing.get("horizon_bars")
            or horizon_bars(agent.data_frequency, agent.prediction_horizon, calendar=calendar)
        ),
        features=list(agent.features),
        period_start=start,
        period_end=end,
        request=dict(row.request),
        calendar=calendar.name,
        currency=currency_of(agent),
        threads=ctx.settings.training_threads,
        nice=ctx.settings.training_nice,
    )
    return spec, bars.write_ipc(None).getvalue()


async def _in_child(
    ctx: JobContext, backtest_id: uuid.UUID, lease: str, spec: BacktestSpec, bars: bytes
) -> dict[str, Any]:
    """Run `child_main` in a spawned process, beating the heartbeat until it answers;
    killed however this ends."""
    mp = multiprocessing.get_context("spawn")
    parent, child = mp.Pipe(duplex=False)
    process = mp.Process(
        target=child_main, args=(spec, bars, child), daemon=True, name=f"backtest-{backtest_id}"
    )
    process.start()
    child.close()
    deadline = time.monotonic() + ctx.settings.training_job_timeout_s
    last_beat = time.monotonic()
    progress: dict[str, Any] | None = None
    try:
        while True:
            while parent.poll():
                kind, payload = parent.recv()
                if kind == "progress":
                    progress = payload
                    continue
                if kind == "failed":
                    raise _Verdict(payload)
                return dict(payload)
            if not process.is_alive() and not parent.poll():
                raise RuntimeError(
                    f"the backtest process stopped unexpectedly (exit code {process.exitcode})"
                )
            now = time.monotonic()
            if now > deadline:
                raise RuntimeError(
                    f"the backtest exceeded the {ctx.settings.training_job_timeout_s} s limit"
                )
            if now - last_beat >= ctx.settings.heartbeat_interval_s:
                async with ctx.sessionmaker() as session:
                    if not await backtests.heartbeat(session, backtest_id, lease, progress):
                        raise RuntimeError("the backtest's lease was lost")
                    await session.commit()
                last_beat, progress = now, None
            await asyncio.sleep(0.1)
    finally:
        if process.is_alive():
            process.kill()
            await asyncio.to_thread(process.join, 5)
        parent.close()


def child_main(spec: BacktestSpec, bars: bytes, conn: Connection) -> None:
    """Entry point of the child; never raises (the pipe carries the outcome). A
    `ValueError` is a verdict on the request (no bars, too few); anything else is
    reported as a crash by the process dying."""
    exit_with_parent()
    if spec.nice:
        lower_priority(spec.nice)
    try:
        result = compute(
            spec, pl.read_ipc(io.BytesIO(bars)), report=lambda p: conn.send(("progress", p))
        )
        conn.send(("result", result))
    except ValueError as exc:
        conn.send(("failed", str(exc)[:1500]))
    finally:
        conn.close()


def compute(
    spec: BacktestSpec,
    bars: pl.DataFrame,
    report: Callable[[dict[str, Any]], None] = lambda progress: None,
) -> dict[str, Any]:
    """Forecast every bar of the period with the version, then replay the rule;
    `report` hears how far it got."""
    from app.core.clock import Window
    from app.ml.artifacts import load_artifact
    from app.ml.inference import CompiledModel, Predictor
    from app.ml.replay import forecast_series
    from app.ml.training import configure_threads
    from app.services.features import feature_columns
    from app.services.market_data.frequency import bar_close, close_after, get_frequency
    from app.services.predictions.service import ATR, serving_features
    from app.services.signals.replay import ReplayBars, ReplayParams, replay

    calendar = calendar_for(spec.calendar)

    configure_threads(spec.threads)
    artifact = load_artifact(spec.directory, spec.sha256)
    predictor = Predictor(
        CompiledModel(artifact.model, warm_batch_sizes=(), jit_compile=False),
        artifact.preprocessing,
        artifact.calibrator,
        artifact.sha256,
        artifact.interval,
    )
    frame = serving_features(bars, spec.features)
    columns = list(artifact.preprocessing.feature_names)
    stamps = frame["timestamp"].to_list()
    in_period = [spec.period_start <= s < spec.period_end for s in stamps]
    if not any(in_period):
        raise ValueError(
            f"the source has no {spec.frequency} bars of {spec.symbol} between "
            f"{spec.period_start.date()} and {spec.period_end.date()}"
        )
    first = in_period.index(True)
    last = len(in_period) - 1 - in_period[::-1].index(True)
    if last - first < 1:
        raise ValueError("the period holds a single bar; a backtest needs at least two")
    rows = frame.select(columns).to_numpy().astype(np.float32)
    forecasts = forecast_series(
        predictor,
        rows,
        first=first,
        on_batch=lambda done, total: report({"stage": "forecasting", "done": done, "total": total}),
    )
    report({"stage": "replaying", "total": last - first + 1})
    window = slice(first, last + 1)
    period = stamps[window]
    freq = get_frequency(spec.frequency)
    atr = frame[feature_columns([ATR])[0]].to_numpy().astype(np.float64)
    request = spec.request
    result = replay(
        ReplayBars(
            closes_at=[bar_close(freq, s, calendar=calendar) for s in period],
            horizon_end=[
                close_after(freq, s, spec.horizon_bars, calendar=calendar) for s in period
            ],
            open=frame["open"].to_numpy()[window].astype(np.float64),
            high=frame["high"].to_numpy()[window].astype(np.float64),
            low=frame["low"].to_numpy()[window].astype(np.float64),
            close=frame["close"].to_numpy()[window].astype(np.float64),
            atr=atr[window],
            log_return=forecasts.log_return[window],
            confidence=forecasts.confidence[window],
        ),
        ReplayParams(
            symbol=spec.symbol,
            user_segment=request["user_segment"],
            confidence_level=float(request["confidence_level"]),
            capital_at_risk=float(request["capital_at_risk"]),
            account_equity=float(request["account_equity"]),
            cost_bp=float(request["cost_bp"]),
            slippage_bp=float(request["slippage_bp"]),
            min_edge=float(request["min_edge"]),
            bars_per_year=freq.bars_per_year,
            intraday=freq.intraday,
            timezone=request["timezone"],
            currency=spec.currency,
            calendar=calendar,
            stop_atr_multiple=float(request["stop_atr_multiple"]),
            entry_window=Window.from_mapping(request["entry_window"])
            if request.get("entry_window")
            else None,
            exit_window=Window.from_mapping(request["exit_window"])
            if request.get("exit_window")
            else None,
        ),
    )
    warnings = []
    if result.metrics["n_trades"] == 0:
        warnings.append(
            "No trade was entered: at no bar did a call pass your confidence level, the "
            "minimum edge and the entry window. Lower `confidence_level` to see the "
            "model's calls traded, or read the agent's skill verdict."
        )
    return {
        "metrics": result.metrics,
        "signals": result.signals,
        "trades": result.trades,
        "equity_curve": result.equity_curve,
        "warnings": warnings,
        "first_bar": period[0].isoformat(),
        "last_bar": period[-1].isoformat(),
    }

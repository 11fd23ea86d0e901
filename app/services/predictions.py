"""/predict (SPEC §6): authenticate → rate limit → validate → cache → bars →
features → model → confidence check → signal → sizing → text → save → answer.

The hot path touches the database twice (resolve the agents, save the answer);
models, recent bars and their feature rows live in memory, and the network runs
off the event loop through a compiled function (`app.services.model_store`).
"""

from __future__ import annotations

import asyncio
import base64
import functools
import math
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlmodel import SQLModel, col

from app.config import Settings
from app.errors import Conflict, NotFound, Unprocessable
from app.metrics import Metrics
from app.models import Agent, AgentVersion, Prediction, User
from app.models.agents import AgentStatus
from app.models.predict_io import PredictRequest, TradeSignalRequest
from app.services import audit
from app.services.audit import ClientInfo
from app.services.bars_cache import BarsCache
from app.services.features import (
    DEFAULT_FEATURES,
    feature_columns,
    feature_warmup,
    normalize_features,
)
from app.services.market_data.base import MarketDataProvider, get_provider
from app.services.market_data.frequency import (
    bar_close,
    close_after,
    get_frequency,
    horizon_bars,
    parse_horizon,
)
from app.services.model_store import ModelStore, ModelUnavailable
from app.services.news import NewsSource, get_news_source
from app.services.prediction_cache import PredictionCache, cache_key
from app.services.sentiment import SENTIMENT_COLUMN, add_sentiment
from app.services.signals import (
    Signal,
    SignalInput,
    Window,
    decide,
    default_stop,
    expected_direction,
    scale_stop,
    zone_of,
)

# Bars beyond look-back + indicator warm-up: EMA-type indicators keep some memory
# of what precedes their warm-up, so a few extra bars bring them closer to the
# values the model was trained on.
EXTRA_BARS = 64
ATR = "ATR"


class NoReadyAgent(Conflict):
    code = "no_ready_agent"
    message = "No READY agent for this request; create one with the request in details."


class AgentNotServing(Conflict):
    code = "agent_not_ready"


class PredictionNotFound(NotFound):
    code = "prediction_not_found"
    message = "No such prediction."


class NotEnoughBars(Conflict):
    code = "not_enough_bars"


@dataclass(frozen=True)
class Plan:
    """A validated request: what the rule needs beyond the request itself."""

    steps: int
    features: list[str]
    entry_window: Window | None
    exit_window: Window | None
    as_of: datetime | None
    equity: float


@dataclass(frozen=True)
class Inputs:
    """One stock's model input, computed once per (bars, features)."""

    rows: npt.NDArray[np.float32]
    last_close: float
    atr: float
    bar_start: datetime
    bar_close: datetime
    notes: tuple[str, ...] = ()  # e.g. why the sentiment score is absent


@dataclass(frozen=True)
class Served:
    agent: Agent
    version: AgentVersion
    bars: pl.DataFrame


class GroupWriter:
    """Group commit of /predict's rows: each call's predictions and audit row are
    committed before it answers, but calls that arrive together share one
    transaction, on a connection of the writer's own.

    Each call committing its own rows made concurrent calls queue for SQLite's
    write lock, whose busy handler sleeps up to 100 ms between tries (p99 ≈ 0.6 s
    with 8 clients, bench/predict.py); one writer at a time with batches removes
    the queue, and saves a commit per call on PostgreSQL too. A batch that fails is
    retried call by call, so a bad call (its agent deleted meanwhile) fails alone.
    """

    def __init__(self) -> None:
        self._pending: list[tuple[AsyncEngine, list[Any], asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None

    async def write(self, session: AsyncSession, rows: list[Any]) -> None:
        bind = session.bind
        assert isinstance(bind, AsyncEngine)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((bind, rows, future))
        if self._task is None:
            self._task = asyncio.create_task(self._drain())
        await future

    async def _drain(self) -> None:
        batch: list[tuple[AsyncEngine, list[Any], asyncio.Future[None]]] = []
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                for bind in dict.fromkeys(engine for engine, _, _ in batch):
                    await self._write_batch(bind, [(rows, future) for engine, rows, future
                                                   in batch if engine is bind])
        except BaseException:  # cancelled (shutdown): no caller may wait forever
            for _, _, future in [*batch, *self._pending]:
                future.cancel()
            self._pending = []
            raise
        finally:
            self._task = None

    async def _write_batch(self, bind: AsyncEngine,
                           calls: list[tuple[list[Any], asyncio.Future[None]]]) -> None:
        try:
            await self._commit(bind, [row for rows, _ in calls for row in rows])
        except Exception as exc:
            if len(calls) == 1:
                _settle(calls[0][1], exc)
                return
            for rows, future in calls:  # one by one: only the bad call fails
                try:
                    await self._commit(bind, rows)
                except Exception as one:
                    _settle(future, one)
                else:
                    _settle(future, None)
        else:
            for _, future in calls:
                _settle(future, None)

    @staticmethod
    async def _commit(bind: AsyncEngine, rows: list[Any]) -> None:
        """Core executemany per table: the rows are final, so the unit of work's
        bookkeeping (identity map, change tracking, flush ordering) buys nothing here
        and cost a third of a /predict call's time on the event loop."""
        tables: dict[Table, list[dict[str, Any]]] = {}
        for row in rows:
            table = row.__table__
            state = row.__dict__  # where SQLAlchemy keeps a new object's values
            values = {key: state.get(key) for key in _column_keys(table)}
            for column in table.primary_key:  # a serial key the database assigns
                if values[column.key] is None:
                    del values[column.key]
            tables.setdefault(table, []).append(values)
        async with bind.begin() as conn:
            for table in sorted(tables, key=_insert_order):
                await conn.execute(table.insert(), tables[table])


@functools.cache
def _column_keys(table: Table) -> tuple[str, ...]:
    return tuple(column.key for column in table.columns)


@functools.cache
def _insert_order(table: Table) -> int:
    """Parents before children, for the foreign keys."""
    return SQLModel.metadata.sorted_tables.index(table)


def _settle(future: asyncio.Future[None], error: Exception | None) -> None:
    if future.done():  # its caller went away; the rows are saved all the same
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)


class PredictionService:
    """Holds the in-memory parts (models, bars, feature rows, answers) of one app."""

    def __init__(self, settings: Settings, model_store: ModelStore, bars: BarsCache,
                 cache: PredictionCache, metrics: Metrics, http: Any = None) -> None:
        self.settings = settings
        self.models = model_store
        self.bars = bars
        self.cache = cache
        self.metrics = metrics
        self.http = http
        self._providers: dict[str, MarketDataProvider] = {}
        self._inputs: OrderedDict[tuple[Any, ...], Inputs] = OrderedDict()
        self._versions: OrderedDict[uuid.UUID, AgentVersion] = OrderedDict()
        self._writer = GroupWriter()
        self._news_source: NewsSource | None = None
        self._news_ready = False

    # --- the pipeline -----------------------------------------------------------

    async def predict(self, session: AsyncSession, user: User, req: PredictRequest,
                      client: ClientInfo, *, use_cache: bool = True) -> dict[str, Any]:
        started = time.perf_counter()
        plan = self.validate(req, user)
        served = [await self._serve(session, user, req, symbol) for symbol in req.stocks]
        # The reads are done: hand the connection back to the pool before inference
        # and the group commit. Holding it while waiting for the writer's connection
        # deadlocked the pool once concurrent calls outnumbered its connections.
        await session.commit()
        # Answers depend on the request, the caller's equity, the model versions
        # and the last bars: all in the key, so a retrain or a new bar misses.
        key = cache_key(
            ",".join(str(s.version.id) for s in served),
            ",".join(str(s.bars["timestamp"][-1]) for s in served),
            {**req.model_dump(mode="json"), "equity": plan.equity},
        )
        body = await self.cache.get(key) if use_cache and self.settings.prediction_cache else None
        cached = body is not None
        if body is None:
            body = await self._compute(req, plan, served)
            await self.cache.put(key, body, self._ttl(req.data_frequency, served))
        else:
            self.metrics.prediction_cache_hits.inc()
        latency_ms = (time.perf_counter() - started) * 1e3
        return await self._save(session, user, req, served, body, cached, latency_ms, client)

    def validate(self, req: PredictRequest, user: User) -> Plan:
        """The rules that need more than one field: 422 naming every field at fault."""
        errors: list[dict[str, Any]] = []

        def fail(loc: list[str | int], msg: str) -> None:
            errors.append({"loc": ["body", *loc], "msg": msg, "type": "value_error"})

        def absorb(exc: Unprocessable, loc: list[str | int]) -> None:
            details = exc.details if isinstance(exc.details, list) and exc.details else None
            for detail in details or [{"loc": loc, "msg": exc.message}]:
                fail(list(detail.get("loc") or loc), str(detail.get("msg") or exc.message))

        steps = 0
        try:
            get_frequency(req.data_frequency, ["data_frequency"])
            steps = horizon_bars(req.data_frequency, req.prediction_horizon,
                                 ["prediction_horizon"])
        except Unprocessable as exc:
            absorb(exc, ["prediction_horizon"])
        features = list(DEFAULT_FEATURES)
        if req.features is not None:
            try:
                features = normalize_features(req.features)
            except Unprocessable as exc:
                absorb(exc, ["features"])
        try:
            zone_of(req.timezone)
        except ValueError as exc:
            fail(["timezone"], str(exc))
        as_of = None
        if req.as_of is not None:
            as_of = req.as_of if req.as_of.tzinfo else req.as_of.replace(tzinfo=UTC)
            if as_of > datetime.now(UTC) + timedelta(seconds=5):
                fail(["as_of"], "as_of is in the future; leave it out to predict from now")
        if req.agent_ids:
            for symbol in req.agent_ids:
                if symbol not in req.stocks:
                    fail(["agent_ids", symbol], f"{symbol} is not in stocks")
        if (req.entry_price is not None and req.stop_loss is not None
                and req.entry_price == req.stop_loss):
            fail(["stop_loss"], "stop_loss equals entry_price: the trade would have no risk "
                                "limit (and position size would be infinite)")
        if errors:
            raise Unprocessable(errors[0]["msg"], details=errors)
        return Plan(steps=steps, features=features,
                    entry_window=req.entry_window.window() if req.entry_window else None,
                    exit_window=req.exit_window.window() if req.exit_window else None,
                    as_of=as_of,
                    equity=req.account_equity or user.account_equity)

    async def _serve(self, session: AsyncSession, user: User, req: PredictRequest,
                     symbol: str) -> Served:
        agent = await self._agent(session, user, req, symbol)
        version = await self._version(session, agent.serving_version_id)
        if version is None or not version.weights_path or not version.sha256:
            raise AgentNotServing(f"Agent {agent.id} has no serving version; retrain it.")
        lookback = int(version.preprocessing.get("lookback", 1))
        needed = lookback + feature_warmup([*agent.features, ATR]) + EXTRA_BARS
        bars = await self.bars.recent(self._provider(agent.data_source), agent.data_source,
                                      symbol, agent.data_frequency, needed, self._as_of(req))
        if bars.height < lookback + feature_warmup([*agent.features, ATR]) + 1:
            raise NotEnoughBars(
                f"{agent.data_source} has only {bars.height} {agent.data_frequency} bars of "
                f"{symbol} before {self._as_of(req) or 'now'}; the agent needs "
                f"{lookback} after the indicators' warm-up.")
        return Served(agent, version, bars)

    async def _version(self, session: AsyncSession,
                       version_id: uuid.UUID | None) -> AgentVersion | None:
        """A serving version, read once: what /predict uses of it (weights path and
        digest, preprocessing, calibration, metrics) never changes after training."""
        if version_id is None:
            return None
        version = self._versions.get(version_id)
        if version is not None:
            self._versions.move_to_end(version_id)
            return version
        version = await session.get(AgentVersion, version_id)
        if version is None or version.status != AgentStatus.READY:
            return version
        session.expunge(version)  # read-only from here on, shared between requests
        self._versions[version_id] = version
        while len(self._versions) > max(self.settings.model_cache_size * 4, 64):
            self._versions.popitem(last=False)
        return version

    async def _agent(self, session: AsyncSession, user: User, req: PredictRequest,
                     symbol: str) -> Agent:
        chosen = (req.agent_ids or {}).get(symbol)
        if chosen is not None:
            agent = await session.get(Agent, chosen)
            if agent is None or agent.user_id != user.id:
                raise NotFound("No such agent.", details=[{
                    "loc": ["body", "agent_ids", symbol], "msg": "not one of your agents"}])
            if agent.symbol != symbol:
                raise Unprocessable.field(["body", "agent_ids", symbol],
                                          f"agent {agent.id} predicts {agent.symbol}, not {symbol}")
            if agent.serving_version_id is None:
                raise AgentNotServing(f"Agent {agent.id} is {agent.status}, not READY.")
            return agent
        query = (select(Agent)
                 .where(col(Agent.user_id) == user.id, col(Agent.symbol) == symbol,
                        col(Agent.data_frequency) == req.data_frequency,
                        col(Agent.prediction_horizon) == req.prediction_horizon,
                        col(Agent.serving_version_id).is_not(None))
                 .order_by(col(Agent.created_at).desc()).limit(1))
        if req.architecture is not None:
            query = query.where(col(Agent.architecture) == req.architecture)
        agent = (await session.execute(query)).scalars().first()
        if agent is None:
            raise NoReadyAgent(
                f"You have no READY {req.architecture or ''} agent for {symbol} on "
                f"{req.data_frequency} bars with a {req.prediction_horizon} horizon; POST the "
                "request in details.create_agent_request to /api/v1/agents, then retry.",
                details={"symbol": symbol, "create_agent_request": creation_request(req, symbol)})
        return agent

    async def _compute(self, req: PredictRequest, plan: Plan,
                       served: list[Served]) -> dict[str, Any]:
        stocks: list[dict[str, Any]] = []
        first_entry = first_stop = None
        for index, item in enumerate(served):
            inputs = await self._inputs_for(item)
            try:
                predictor = await self.models.predictor(item.version.id, item.version.weights_path
                                                        or "", item.version.sha256 or "")
                forecast = await self.models.forecast(predictor, inputs.rows, inputs.last_close)
            except ModelUnavailable as exc:
                item.agent.needs_retraining = True
                exc.details = {"agent_id": str(item.agent.id), "symbol": item.agent.symbol}
                raise
            try:
                if index == 0:
                    entry = req.entry_price or _cents(inputs.last_close)
                    hint = expected_direction(forecast.predicted_price, entry, req.user_segment)
                    stop = req.stop_loss or default_stop(entry, inputs.atr, hint)
                    first_entry, first_stop = entry, stop
                else:
                    assert first_entry is not None and first_stop is not None
                    entry = _cents(inputs.last_close)
                    hint = expected_direction(forecast.predicted_price, entry, req.user_segment)
                    stop = scale_stop(first_entry, first_stop, entry, hint)
            except ValueError as exc:  # a default stop that is not a price: ask for one
                raise Unprocessable.field(["body", "stop_loss"], str(exc)) from None
            signal = decide(SignalInput(
                symbol=item.agent.symbol, predicted_price=round(forecast.predicted_price, 4),
                confidence=round(forecast.confidence, 4), entry_price=entry, stop_loss=stop,
                capital_at_risk=req.capital_at_risk, confidence_level=req.confidence_level,
                user_segment=req.user_segment, account_equity=plan.equity,
                bar_time=inputs.bar_close,
                horizon_end=close_after(req.data_frequency, inputs.bar_start, plan.steps),
                entry_window=plan.entry_window, exit_window=plan.exit_window,
                timezone=req.timezone, intraday=get_frequency(req.data_frequency).intraday,
                min_edge=self.settings.signal_min_edge,
            ))
            stocks.append(self._stock(req, plan, item, inputs, signal, entry, stop))
        return {"stocks": stocks, "data_source": served[0].agent.data_source}

    def _stock(self, req: PredictRequest, plan: Plan, item: Served, inputs: Inputs,
               signal: Signal, entry: float, stop: float) -> dict[str, Any]:
        warnings = list(signal.warnings)
        metrics = item.version.metrics or {}
        if metrics.get("beats_naive_baseline") is False:
            warnings.append("On held-out data this model did not beat the naive no-change "
                            "forecast; treat its calls with caution.")
        stale = self._stale(item)
        if stale:
            warnings.append(f"The model was trained on data up to {item.agent.end_date}; it is "
                            "past its expiry for this frequency — retrain it.")
        if item.agent.needs_retraining:
            warnings.append("This agent is flagged for retraining.")
        if req.features is not None and sorted(plan.features) != sorted(item.agent.features):
            warnings.append(f"This agent uses the features {', '.join(item.agent.features)}, "
                            "not the ones requested.")
        if req.sentiment_enabled and SENTIMENT_COLUMN not in item.version.preprocessing.get(
                "feature_names", ()):
            warnings.append("Sentiment was requested but this agent was trained without it.")
        warnings.extend(inputs.notes)
        return {
            **signal.to_dict(),
            "symbol": item.agent.symbol,
            "agent_id": str(item.agent.id),
            "agent_version_id": str(item.version.id),
            "as_of": inputs.bar_close.isoformat(),
            "target_time": close_after(req.data_frequency, inputs.bar_start,
                                       plan.steps).isoformat(),
            "entry_price": entry,
            "stop_loss": stop,
            "max_loss_amount": float(signal.max_loss_amount),
            "stale": stale,
            "warnings": warnings,
        }

    async def _save(self, session: AsyncSession, user: User, req: PredictRequest,
              served: list[Served], body: dict[str, Any], cached: bool, latency_ms: float,
              client: ClientInfo) -> dict[str, Any]:
        request_json = req.model_dump(mode="json", exclude_none=True)
        predictions: list[dict[str, Any]] = []
        rows: list[Any] = []
        for item, stock in zip(served, body["stocks"], strict=True):
            prediction_id = uuid.uuid4()
            public = {key: value for key, value in stock.items()
                      if key not in ("target_time", "max_loss_amount")}
            public["prediction_id"] = str(prediction_id)
            predictions.append(public)
            rows.append(Prediction(
                id=prediction_id, user_id=user.id, agent_id=item.agent.id,
                agent_version_id=item.version.id, user_segment=str(req.user_segment),
                symbol=stock["symbol"], data_source=item.agent.data_source,
                data_frequency=req.data_frequency, prediction_horizon=req.prediction_horizon,
                trade_signal=stock["trade_signal"], direction=stock["direction"],
                entry_price=stock["entry_price"], stop_loss=stock["stop_loss"],
                position_size=stock["position_size"], max_loss=stock["max_loss_amount"],
                predicted_price=stock["predicted_price"], confidence=stock["confidence"],
                as_of=datetime.fromisoformat(stock["as_of"]),
                target_time=datetime.fromisoformat(stock["target_time"]),
                request=request_json, response=public, latency_ms=round(latency_ms, 3),
                cached=cached,
            ))
            self.metrics.predictions.labels(stock["trade_signal"], str(cached).lower()).inc()
        first = predictions[0]
        rows.append(audit.entry("prediction", client, user.id,
                                prediction_ids=[p["prediction_id"] for p in predictions],
                                symbols=req.stocks, cached=cached))
        await self._writer.write(session, rows)
        return {
            **{key: first[key] for key in (
                "predicted_price", "confidence", "trade_signal", "direction",
                "suggested_exit_time", "position_size", "suggestion_text", "risk_metrics")},
            "prediction_id": first["prediction_id"], "symbol": first["symbol"],
            "agent_id": first["agent_id"], "as_of": first["as_of"],
            "data_source": body["data_source"],
            "warnings": first["warnings"],
            "cached": cached, "predictions": predictions,
        }

    # --- the parts in memory ---------------------------------------------------

    def _news(self) -> NewsSource | None:
        if not self._news_ready:  # built on first use: most agents have no sentiment
            self._news_source = get_news_source(self.settings, self.http)
            self._news_ready = True
        return self._news_source

    def _provider(self, source: str) -> MarketDataProvider:
        provider = self._providers.get(source)
        if provider is None:
            provider = self._providers[source] = get_provider(source, self.settings, self.http)
        return provider

    async def _inputs_for(self, item: Served) -> Inputs:
        """Feature rows of the latest bars, cached with the bars they come from."""
        prep = item.version.preprocessing
        columns = tuple(prep["feature_names"])
        lookback = int(prep["lookback"])
        bars = item.bars
        key = (item.agent.data_source, item.agent.symbol, item.agent.data_frequency,
               bars["timestamp"][-1], bars.height, tuple(item.agent.features), columns, lookback)
        hit = self._inputs.get(key)
        if hit is not None:
            self._inputs.move_to_end(key)
            return hit
        from app.services.features import compute_features

        notes: list[str] = []
        if SENTIMENT_COLUMN in columns:  # the agent was trained with news sentiment
            bars, notes = await add_sentiment(bars, item.agent.symbol, self._news())
            if SENTIMENT_COLUMN not in bars.columns:
                bars = bars.with_columns(pl.lit(0.0).alias(SENTIMENT_COLUMN))
                notes.append("Without a news source the model sees neutral sentiment.")
        frame = compute_features(bars, [*item.agent.features, ATR])
        rows = frame.select(columns).tail(lookback).to_numpy().astype(np.float32)
        atr_column = feature_columns([ATR])[0]
        atr = float(frame[atr_column][-1] or 0.0)
        start = bars["timestamp"][-1]
        inputs = Inputs(rows=rows, last_close=float(bars["close"][-1]),
                        atr=atr if math.isfinite(atr) else 0.0, bar_start=start,
                        bar_close=bar_close(item.agent.data_frequency, start),
                        notes=tuple(notes))
        self._inputs[key] = inputs
        while len(self._inputs) > 1024:
            self._inputs.popitem(last=False)
        return inputs

    def _ttl(self, frequency: str, served: list[Served]) -> float:
        """Until the next bar is due (after that the key changes anyway)."""
        length = get_frequency(frequency).bar_length.total_seconds()
        return max(1.0, min(length, self.settings.prediction_cache_ttl_s))

    def _stale(self, item: Served) -> bool:
        expiry = self.settings.model_expiry_days(item.agent.data_frequency)
        ready = item.version.ready_at or item.version.created_at
        ready = ready if ready.tzinfo else ready.replace(tzinfo=UTC)
        return datetime.now(UTC) - ready > timedelta(days=expiry)

    @staticmethod
    def _as_of(req: PredictRequest) -> datetime | None:
        if req.as_of is None:
            return None
        return req.as_of if req.as_of.tzinfo else req.as_of.replace(tzinfo=UTC)


def _cents(price: float) -> float:
    """A default entry at the last close, on the US tick grid ($0.01; $0.0001 below $1)."""
    return round(price, 2 if price >= 1 else 4)


def creation_request(req: PredictRequest, symbol: str) -> dict[str, Any]:
    """The agent-creation body that would make a 409'd /predict succeed."""
    freq = get_frequency(req.data_frequency)
    today = datetime.now(UTC).date()
    # About a year of daily bars, or two months of intraday ones: enough history
    # for the look-back, the warm-up and honest validation and test splits.
    span = timedelta(days=730 if not freq.intraday else 60)
    prefs = req.model_preferences.model_dump(exclude_none=True) if req.model_preferences else {
        "architecture": "LSTM", "epochs": 20}
    return {
        "name": f"{symbol} {req.data_frequency} {req.prediction_horizon}",
        "symbol": symbol, "data_source": "synthetic",
        "start_date": (today - span).isoformat(),
        "end_date": (today - timedelta(days=1)).isoformat(),
        "data_frequency": req.data_frequency, "prediction_horizon": req.prediction_horizon,
        "features": req.features or list(DEFAULT_FEATURES),
        "sentiment_enabled": req.sentiment_enabled,
        "risk_params": {"capital_at_risk": req.capital_at_risk,
                        "confidence_level": req.confidence_level},
        "model_preferences": prefs,
    }


def trade_signal(req: TradeSignalRequest, user: User, settings: Settings) -> dict[str, Any]:
    """The signal engine alone (`POST /trade-signal`), for a forecast the caller brings."""
    errors: list[dict[str, Any]] = []
    as_of = req.as_of or datetime.now(UTC)
    as_of = as_of if as_of.tzinfo else as_of.replace(tzinfo=UTC)
    horizon: timedelta | None = timedelta(hours=1)
    horizon_end: datetime | None = None
    if req.prediction_horizon is not None:
        try:
            hz = parse_horizon(req.prediction_horizon, ["prediction_horizon"])
            if hz.trading_minutes is not None:
                horizon = timedelta(minutes=hz.trading_minutes)
            else:  # whole sessions: the close of the session that many days on
                horizon = None
                day = datetime.combine(as_of.date(), datetime.min.time(), UTC)
                horizon_end = close_after("1d", day, hz.sessions or 1)
        except Unprocessable as exc:
            errors.extend({"loc": ["body", *d["loc"]], "msg": d["msg"], "type": "value_error"}
                          for d in (exc.details or [{"loc": ["prediction_horizon"],
                                                     "msg": exc.message}]))
    try:
        zone_of(req.timezone)
    except ValueError as exc:
        errors.append({"loc": ["body", "timezone"], "msg": str(exc), "type": "value_error"})
    if errors:
        raise Unprocessable(errors[0]["msg"], details=errors)
    signal = decide(SignalInput(
        symbol=req.symbol, predicted_price=req.predicted_price, confidence=req.confidence,
        entry_price=req.entry_price, stop_loss=req.stop_loss,
        capital_at_risk=req.capital_at_risk, confidence_level=req.confidence_level,
        user_segment=req.user_segment, account_equity=req.account_equity or user.account_equity,
        bar_time=as_of, horizon=horizon, horizon_end=horizon_end,
        entry_window=req.entry_window.window() if req.entry_window else None,
        exit_window=req.exit_window.window() if req.exit_window else None,
        timezone=req.timezone, min_edge=settings.signal_min_edge,
    ))
    return {**signal.to_dict(), "symbol": req.symbol, "warnings": signal.warnings}


# --- history ---------------------------------------------------------------------


async def get_owned(session: AsyncSession, user: User, prediction_id: uuid.UUID) -> Prediction:
    prediction = await session.get(Prediction, prediction_id)
    if prediction is None or prediction.user_id != user.id:
        raise PredictionNotFound()
    return prediction


def _encode(created_at: datetime, prediction_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(f"{created_at.isoformat()}|{prediction_id}".encode()).decode()


def _decode(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        stamp, ident = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        moment = datetime.fromisoformat(stamp)
        if moment.tzinfo is None:
            raise ValueError("a cursor's instant carries its offset")
        return moment, uuid.UUID(ident)
    except (ValueError, UnicodeDecodeError):
        raise Unprocessable.field(["query", "cursor"], "not a cursor this API returned") from None


async def page(
    session: AsyncSession, user: User, *, limit: int, cursor: str | None = None,
    symbol: str | None = None, agent_id: uuid.UUID | None = None,
    trade_signal: str | None = None, since: datetime | None = None,
    until: datetime | None = None,
) -> tuple[list[Prediction], str | None]:
    """Newest first, keyset-paginated on (created_at, id)."""
    query = select(Prediction).where(col(Prediction.user_id) == user.id)
    if symbol:
        query = query.where(col(Prediction.symbol) == symbol.strip().upper())
    if agent_id:
        query = query.where(col(Prediction.agent_id) == agent_id)
    if trade_signal:
        query = query.where(col(Prediction.trade_signal) == trade_signal)
    if since:
        query = query.where(col(Prediction.created_at) >= since)
    if until:
        query = query.where(col(Prediction.created_at) < until)
    if cursor:
        stamp, ident = _decode(cursor)
        query = query.where(
            (col(Prediction.created_at) < stamp)
            | ((col(Prediction.created_at) == stamp) & (col(Prediction.id) < ident)))
    query = query.order_by(col(Prediction.created_at).desc(), col(Prediction.id).desc())
    rows = list((await session.execute(query.limit(limit + 1))).scalars())
    next_cursor = _encode(rows[limit - 1].created_at, rows[limit - 1].id) if len(
        rows) > limit else None
    return rows[:limit], next_cursor


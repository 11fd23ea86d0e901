"""/predict: resolve each stock's READY agent and version, forecast, decide, save.

Serving versions, recent bars and their feature rows stay in memory, so a call
touches the database only to resolve its agents and to save its answer (through
the group commit, `app.services.batch_writer`); the network runs off the event
loop (`app.services.model_store`).
"""

from __future__ import annotations

import functools
import math
import time
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import polars as pl
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.config import Settings
from app.core.calendars import TradingCalendar, calendar_of_instrument
from app.core.clock import as_utc
from app.core.money import tick
from app.errors import Conflict, NotFound, Unprocessable
from app.metrics import Metrics
from app.models import Agent, AgentVersion, Prediction, User
from app.models.agents import AgentStatus
from app.schemas.predictions import DEFAULT_CURRENCY, PredictRequest
from app.services import agents, audit, staleness
from app.services.audit import ClientInfo
from app.services.bars_cache import BarsCache, complete_bars
from app.services.batch_writer import GroupWriter, Row, row
from app.services.features import (
    changed_columns,
    compute_features,
    feature_columns,
    feature_warmup,
)
from app.services.market_data.base import MarketDataProvider, data_warnings, source_notes
from app.services.market_data.frequency import bar_close, close_after, get_frequency
from app.services.market_data.registry import MarketData
from app.services.model_store import ModelStore, ModelUnavailable
from app.services.news import NewsSource
from app.services.prediction_cache import PredictionCache, cache_key
from app.services.predictions.validation import Plan, validate
from app.services.row_cache import RowCache
from app.services.sentiment import SENTIMENT_COLUMN, add_sentiment, without_news
from app.services.signals.rule import Signal, SignalInput, decide, expected_direction
from app.services.signals.stops import default_stop, scale_stop
from app.services.signals.venue import window_zone

if TYPE_CHECKING:
    from app.ml.inference import Forecast

ATR = "ATR"
# Bumped when a stock's cached answer gains or changes fields, so an answer cached
# by an older release (Redis outlives a deploy) is not served without them.
ANSWER_VERSION = 3
# What the top level of a /predict answer repeats of the first stock.
FIRST_STOCK_FIELDS = (
    "predicted_price",
    "confidence",
    "trade_signal",
    "direction",
    "suggested_exit_time",
    "position_size",
    "suggestion_text",
    "risk_metrics",
    "currency",
    "max_loss_amount",
    "suggested_exit_at",
    "predicted_price_low",
    "predicted_price_high",
    "interval_coverage",
    "skill",
    "in_sample",
)
# Kept on the Prediction row, not shown in the answer (`timezone`: the zone the
# windows were read in, stored in the row's request).
_PRIVATE_FIELDS = ("target_time", "reference_price", "timezone")


def bars_needed(features: Sequence[str], frequency: str, lookback: int) -> int:
    """How many bars up to the last complete one /predict needs for an agent.

    Every feature's value is a function of the warm-up bars before it alone
    (docs/FEATURES.md), so the look-back rows computed on these bars are the rows
    training computed for the same bars on its whole history.
    """
    return lookback + feature_warmup([*features, ATR], frequency=frequency)


def serving_features(bars: pl.DataFrame, features: Sequence[str]) -> pl.DataFrame:
    """The feature frame /predict computes on the bars it fetched (with ATR, for stops)."""
    return compute_features(bars, [*features, ATR])


def currency_of(agent: Agent) -> str:
    """The currency of an agent's prices, its instrument's (GBX for pence-quoted
    London shares); an agent without one is in US dollars, as all were before."""
    return str((agent.instrument or {}).get("currency") or DEFAULT_CURRENCY)


def calendar_of_agent(agent: Agent) -> TradingCalendar:
    """The sessions of an agent's exchange: bars close, horizons end and exits are
    timed on them (New York's for an agent from before instruments)."""
    return calendar_of_instrument(agent.instrument, agent.symbol)


def skill_of(metrics: dict[str, Any]) -> Literal["edge", "no_edge"] | None:
    """`skill` since issue 11; older versions only have `beats_naive_baseline`."""
    skill = metrics.get("skill")
    if skill in ("edge", "no_edge"):
        return "edge" if skill == "edge" else "no_edge"
    beats = metrics.get("beats_naive_baseline")
    if isinstance(beats, bool):
        return "edge" if beats else "no_edge"
    return None


def data_span(agent: Agent, version: AgentVersion) -> tuple[datetime, datetime]:
    """The bars a version was trained, validated and tested on: from the first bar's
    start to the last bar's close, as the training job recorded them; for a version
    from before it did, what the job fetched for the agent's dates (bars starting in
    [start_date, end_date + 1 day], the last of them closing up to a bar later)."""
    if version.data_start is not None and version.data_end is not None:
        return as_utc(version.data_start), as_utc(version.data_end)
    start = datetime.combine(agent.start_date, clock_time.min, UTC)
    fetched_to = datetime.combine(agent.end_date, clock_time.min, UTC) + timedelta(days=1)
    closes = bar_close(agent.data_frequency, fetched_to, calendar=calendar_of_agent(agent))
    return start, max(fetched_to, closes)


def requested_zone(req: PredictRequest) -> str | None:
    """The zone the request names for its windows; None when it names none (each
    stock's windows are then read on its exchange's clock, `venue.window_zone`)."""
    return req.timezone if "timezone" in req.model_fields_set else None


def in_sample(as_of: datetime, span: tuple[datetime, datetime]) -> bool:
    """A call whose last bar closed inside the version's data: the model has seen it
    (or was evaluated on it), so the call is a look-back, not a forecast."""
    start, end = span
    return start < as_of <= end


def _interval_price(value: float | None) -> float | None:
    return round(value, 4) if value is not None and math.isfinite(value) else None


class NoReadyAgent(Conflict):
    code = "no_ready_agent"
    message = "No READY agent for this request; create one with the request in details."


class AgentNotReady(Conflict):
    code = "agent_not_ready"


class NotEnoughBars(Conflict):
    code = "not_enough_bars"


@dataclass(frozen=True)
class Inputs:
    """One stock's model input, computed once per (bars, features)."""

    rows: npt.NDArray[np.float32]
    last_close: float
    closes: npt.NDArray[np.float64]  # the rows' bars' closes: the interval's volatility scale
    atr: float
    bar_start: datetime
    bar_close: datetime
    notes: tuple[str, ...] = ()  # e.g. why the sentiment score is absent


# Sources whose data may end in the past (a file, a historical archive): "now" then
# means their last bar, said in the answer. Vendors are live: too few bars is an error.
ARCHIVES = frozenset({"csv", "sample"})
ARCHIVE_START = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ResolvedAgent:
    """A stock's agent, the version that serves it, and the bars it will read."""

    agent: Agent
    version: AgentVersion
    bars: pl.DataFrame
    notes: tuple[str, ...] = ()  # about the data this call reads (an archive's end)


def _steps(item: ResolvedAgent, plan: Plan) -> int:
    """Bars ahead the version was trained to forecast: the horizon counted on its
    exchange's sessions when it was trained (older versions: the request's count)."""
    return int(item.version.preprocessing.get("horizon_bars") or plan.steps)


class PredictionService:
    """Holds the in-memory parts (models, bars, feature rows, answers) of one app."""

    def __init__(
        self,
        settings: Settings,
        model_store: ModelStore,
        bars: BarsCache,
        cache: PredictionCache,
        metrics: Metrics,
        rows: RowCache,
        http: Any = None,
        market_data: MarketData | None = None,
    ) -> None:
        self.settings = settings
        self.rows = rows
        self.models = model_store
        self.bars = bars
        self.cache = cache
        self.metrics = metrics
        self.http = http
        # Providers and vendor sessions shared with the process's jobs; remote
        # vendors' bars come through the bar store when it has a database.
        self.market_data = market_data or MarketData(settings, http)
        self._inputs: OrderedDict[tuple[Any, ...], Inputs] = OrderedDict()
        self._versions: OrderedDict[uuid.UUID, AgentVersion] = OrderedDict()
        self._archive_ends: dict[tuple[str, str, str], tuple[datetime | None, datetime]] = {}
        self._writer = GroupWriter()
        self._news_source: NewsSource | None = None
        self._news_ready = False

    async def close(self) -> None:
        await self.models.close()
        self._writer.close()

    # --- the pipeline -----------------------------------------------------------

    async def predict(
        self,
        session: AsyncSession,
        user: User,
        req: PredictRequest,
        client: ClientInfo,
        *,
        use_cache: bool = True,
    ) -> dict[str, Any]:
        started = time.perf_counter()
        plan = validate(req, user)
        resolved = [await self._resolve(session, user, req, symbol) for symbol in req.stocks]
        # The reads are done: hand the connection back to the pool before inference
        # and the group commit. Holding it while waiting for the writer's connection
        # deadlocked the pool once concurrent calls outnumbered its connections.
        await session.commit()
        # Answers depend on the request, the caller's equity, the model versions
        # and the last bars: all in the key, so a retrain or a new bar misses.
        key = cache_key(
            ",".join(str(s.version.id) for s in resolved),
            ",".join(str(s.bars["timestamp"][-1]) for s in resolved),
            {
                **req.model_dump(mode="json"),
                "timezone": requested_zone(req),  # else the agents' exchanges: in the versions
                "equity": plan.equity,
                "answer": ANSWER_VERSION,
            },
        )
        body = await self.cache.get(key) if use_cache and self.settings.prediction_cache else None
        cached = body is not None
        if body is None:
            body = await self._compute(req, plan, resolved)
            await self.cache.put(key, body, self._ttl(req.data_frequency, resolved))
        else:
            self.metrics.prediction_cache_hits.inc()
        latency_ms = (time.perf_counter() - started) * 1e3
        return await self._save(session, user, req, resolved, body, cached, latency_ms, client)

    async def _resolve(
        self, session: AsyncSession, user: User, req: PredictRequest, symbol: str
    ) -> ResolvedAgent:
        agent = await self._agent(session, user, req, symbol)
        version = await self._version(session, agent.serving_version_id)
        if version is None or not version.weights_path or not version.sha256:
            raise AgentNotReady(f"Agent {agent.id} has no serving version; retrain it.")
        trained_on = int(version.preprocessing.get("feature_version", 1))
        changed = changed_columns(version.preprocessing.get("feature_names", ()), trained_on)
        if changed:  # the model would be fed values of another meaning
            agent.needs_retraining = True
            raise ModelUnavailable(
                f"Agent {agent.id} was trained on an earlier definition of "
                f"{', '.join(changed)}; retrain it.",
                details={"agent_id": str(agent.id), "symbol": agent.symbol, "columns": changed},
            )
        lookback = int(version.preprocessing.get("lookback", 1))
        needed = bars_needed(agent.features, agent.data_frequency, lookback)
        provider = self._provider(agent.data_source)
        as_of = self._as_of(req)
        recent = functools.partial(
            self.bars.recent, provider, agent.data_source, agent.symbol, agent.data_frequency
        )
        bars = await recent(needed, as_of)
        notes: tuple[str, ...] = ()
        if bars.height < needed and as_of is None and agent.data_source in ARCHIVES:
            # A file or an archive that ends in the past: the latest bar it holds.
            end = await self._archive_end(provider, agent)
            if end is not None:
                bars = await recent(needed, end)
                notes = (
                    f"{agent.data_source} data of {agent.symbol} end at {_moment(end)}: "
                    "this answer is as of that last bar, not now.",
                )
        if bars.height < needed:
            raise NotEnoughBars(
                f"{agent.data_source} has only {bars.height} {agent.data_frequency} bars of "
                f"{agent.symbol} before {as_of or 'now'}; the agent needs "
                f"{lookback} after the indicators' warm-up."
            )
        return ResolvedAgent(agent, version, bars, notes)

    async def _archive_end(self, provider: MarketDataProvider, agent: Agent) -> datetime | None:
        """When the last complete bar of an archive source closes (None: it is empty),
        remembered a minute: the file may grow."""
        key = (agent.data_source, agent.symbol, agent.data_frequency)
        now = datetime.now(UTC)
        known = self._archive_ends.get(key)
        if known is not None and known[1] > now:
            return known[0]
        calendar = calendar_of_agent(agent)
        every = await provider.fetch_bars(agent.symbol, agent.data_frequency, ARCHIVE_START, now)
        every = complete_bars(every, agent.data_frequency, now, calendar=calendar)
        end = None
        if every.height:
            end = bar_close(agent.data_frequency, every["timestamp"][-1], calendar=calendar)
        self._archive_ends[key] = (end, now + timedelta(minutes=1))
        return end

    async def _version(
        self, session: AsyncSession, version_id: uuid.UUID | None
    ) -> AgentVersion | None:
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

    async def _agent(
        self, session: AsyncSession, user: User, req: PredictRequest, symbol: str
    ) -> Agent:
        chosen = (req.agent_ids or {}).get(symbol)
        if chosen is not None:
            agent = await self.rows.fetch(
                ("agent", chosen), Agent, session, lambda: session.get(Agent, chosen)
            )
            if agent is None or agent.user_id != user.id:
                raise NotFound(
                    "No such agent.",
                    details=[
                        {
                            "loc": ["body", "agent_ids", symbol],
                            "msg": "not one of your agents",
                            "type": "value_error",
                        }
                    ],
                )
            if agent.symbol not in agents.symbol_codes(symbol):  # the code on any source
                raise Unprocessable.field(
                    ["body", "agent_ids", symbol],
                    f"agent {agent.id} predicts {agent.symbol}, not {symbol}",
                )
            if agent.serving_version_id is None:
                raise AgentNotReady(f"Agent {agent.id} is {agent.status}, not READY.")
            return agent
        key = (user.id, symbol, req.data_frequency, req.prediction_horizon, req.architecture)
        agent = await self.rows.fetch(
            ("agent for", *key),
            Agent,
            session,
            lambda: self._latest_ready(session, user, req, symbol),
        )
        if agent is None:
            raise NoReadyAgent(
                f"You have no READY {req.architecture or ''} agent for {symbol} on "
                f"{req.data_frequency} bars with a {req.prediction_horizon} horizon; POST the "
                "request in details.create_agent_request to /api/v1/agents, then retry.",
                details={
                    "symbol": symbol,
                    "create_agent_request": agents.creation_request(req, symbol),
                },
            )
        return agent

    @staticmethod
    async def _latest_ready(
        session: AsyncSession, user: User, req: PredictRequest, symbol: str
    ) -> Agent | None:
        """The caller's newest serving agent for the request's symbol (in any of its
        codes), frequency, horizon and architecture."""
        query = (
            select(Agent)
            .where(
                col(Agent.user_id) == user.id,
                col(Agent.symbol).in_(agents.symbol_codes(symbol)),
                col(Agent.data_frequency) == req.data_frequency,
                col(Agent.prediction_horizon) == req.prediction_horizon,
                col(Agent.serving_version_id).is_not(None),
            )
            .order_by(col(Agent.created_at).desc())
            .limit(1)
        )
        if req.architecture is not None:
            query = query.where(col(Agent.architecture) == req.architecture)
        return (await session.execute(query)).scalars().first()

    async def _compute(
        self, req: PredictRequest, plan: Plan, resolved: list[ResolvedAgent]
    ) -> dict[str, Any]:
        stocks: list[dict[str, Any]] = []
        first_entry = first_stop = None
        for index, item in enumerate(resolved):
            inputs = await self._inputs_for(item)
            try:
                predictor = await self.models.predictor(
                    item.version.id,
                    item.version.weights_path or "",
                    item.version.sha256 or "",
                    agent_id=item.version.agent_id,
                )
                forecast = await self.models.forecast(
                    predictor, inputs.rows, inputs.last_close, inputs.closes
                )
            except ModelUnavailable as exc:
                item.agent.needs_retraining = True
                exc.details = {"agent_id": str(item.agent.id), "symbol": item.agent.symbol}
                raise
            try:
                if index == 0:
                    entry = req.entry_price or tick(inputs.last_close)
                    hint = expected_direction(forecast.predicted_price, entry, req.user_segment)
                    stop = req.stop_loss or default_stop(entry, inputs.atr, hint)
                    first_entry, first_stop = entry, stop
                else:
                    assert first_entry is not None and first_stop is not None
                    entry = tick(inputs.last_close)
                    hint = expected_direction(forecast.predicted_price, entry, req.user_segment)
                    stop = scale_stop(first_entry, first_stop, entry, hint)
            except ValueError as exc:  # a default stop that is not a price: ask for one
                raise Unprocessable.field(["body", "stop_loss"], str(exc)) from None
            agent = item.agent
            calendar = calendar_of_agent(agent)
            horizon_end = close_after(
                req.data_frequency, inputs.bar_start, _steps(item, plan), calendar=calendar
            )
            signal = decide(
                SignalInput(
                    symbol=agent.symbol,
                    predicted_price=round(forecast.predicted_price, 4),
                    confidence=round(forecast.confidence, 4),
                    entry_price=entry,
                    stop_loss=stop,
                    capital_at_risk=req.capital_at_risk,
                    confidence_level=req.confidence_level,
                    user_segment=req.user_segment,
                    account_equity=plan.equity,
                    bar_time=inputs.bar_close,
                    horizon_end=horizon_end,
                    entry_window=plan.entry_window,
                    exit_window=plan.exit_window,
                    timezone=window_zone(requested_zone(req), agent.instrument, agent.symbol),
                    calendar=calendar,
                    intraday=get_frequency(req.data_frequency).intraday,
                    min_edge=self.settings.signal_min_edge,
                    last_close=inputs.last_close,  # an entry far from it is warned about
                    atr=inputs.atr,
                    currency=currency_of(item.agent),
                )
            )
            stocks.append(
                self._stock(req, plan, item, inputs, forecast, signal, entry, stop, horizon_end)
            )
        return {"stocks": stocks, "data_source": resolved[0].agent.data_source}

    def _stock(
        self,
        req: PredictRequest,
        plan: Plan,
        item: ResolvedAgent,
        inputs: Inputs,
        forecast: Forecast,
        signal: Signal,
        entry: float,
        stop: float,
        target_time: datetime,
    ) -> dict[str, Any]:
        warnings = list(signal.warnings)
        skill = skill_of(item.version.metrics or {})
        span = data_span(item.agent, item.version)
        looked_back = in_sample(inputs.bar_close, span)
        if looked_back:
            warnings.append(
                f"In-sample: {_moment(inputs.bar_close)} is inside the data this model was "
                f"trained and evaluated on ({_moment(span[0])} to {_moment(span[1])}); this "
                "call does not count in the agent's live track record."
            )
        if skill == "no_edge":
            warnings.append(
                "This model shows no edge: on held-out data it did not beat the naive "
                "no-change forecast, so treat its calls as no better than chance."
            )
        stale = self._stale(item)
        if stale:
            warnings.append(
                f"The model was trained on data up to {item.agent.end_date}; it is "
                "past its expiry for this frequency — retrain it."
            )
        if item.agent.needs_retraining:
            warnings.append("This agent is flagged for retraining.")
        if req.features is not None and sorted(plan.features) != sorted(item.agent.features):
            warnings.append(
                f"This agent uses the features {', '.join(item.agent.features)}, "
                "not the ones requested."
            )
        if req.sentiment_enabled and SENTIMENT_COLUMN not in item.version.preprocessing.get(
            "feature_names", ()
        ):
            warnings.append("Sentiment was requested but this agent was trained without it.")
        warnings.extend(item.notes)
        warnings.extend(inputs.notes)
        warnings.extend(data_warnings(item.agent.data_source, item.agent.symbol))
        return {
            **signal.to_dict(),
            "symbol": item.agent.symbol,
            "agent_id": str(item.agent.id),
            "agent_version_id": str(item.version.id),
            "as_of": inputs.bar_close.isoformat(),
            "target_time": target_time.isoformat(),
            "entry_price": entry,
            "stop_loss": stop,
            "reference_price": inputs.last_close,
            "currency": currency_of(item.agent),
            "max_loss_amount": float(signal.max_loss_amount),
            # In the windows' zone, as `suggested_exit_time` is written.
            "suggested_exit_at": signal.suggested_exit_at,
            "timezone": signal.timezone,
            "predicted_price_low": _interval_price(forecast.predicted_price_low),
            "predicted_price_high": _interval_price(forecast.predicted_price_high),
            "interval_coverage": forecast.interval_coverage,
            "skill": skill,
            "in_sample": looked_back,
            "stale": stale,
            "warnings": warnings,
        }

    async def _save(
        self,
        session: AsyncSession,
        user: User,
        req: PredictRequest,
        resolved: list[ResolvedAgent],
        body: dict[str, Any],
        cached: bool,
        latency_ms: float,
        client: ClientInfo,
    ) -> dict[str, Any]:
        request_json = req.model_dump(mode="json", exclude_none=True)
        predictions: list[dict[str, Any]] = []
        rows: list[Row] = []
        for item, stock in zip(resolved, body["stocks"], strict=True):
            prediction_id = uuid.uuid4()
            public = {key: value for key, value in stock.items() if key not in _PRIVATE_FIELDS}
            public["prediction_id"] = str(prediction_id)
            predictions.append(public)
            rows.append(
                row(
                    Prediction,
                    id=prediction_id,
                    user_id=user.id,
                    agent_id=item.agent.id,
                    agent_version_id=item.version.id,
                    user_segment=str(req.user_segment),
                    symbol=stock["symbol"],
                    data_source=item.agent.data_source,
                    data_frequency=req.data_frequency,
                    prediction_horizon=req.prediction_horizon,
                    trade_signal=stock["trade_signal"],
                    direction=stock["direction"],
                    entry_price=stock["entry_price"],
                    stop_loss=stock["stop_loss"],
                    position_size=stock["position_size"],
                    max_loss=stock["max_loss_amount"],
                    predicted_price=stock["predicted_price"],
                    confidence=stock["confidence"],
                    reference_price=stock["reference_price"],
                    in_sample=stock["in_sample"],
                    as_of=datetime.fromisoformat(stock["as_of"]),
                    target_time=datetime.fromisoformat(stock["target_time"]),
                    # The windows' zone as applied: the request's, else the exchange's.
                    request={**request_json, "timezone": stock.get("timezone", req.timezone)},
                    response=public,
                    latency_ms=round(latency_ms, 3),
                    cached=cached,
                )
            )
            self.metrics.predictions.labels(stock["trade_signal"], str(cached).lower()).inc()
        first = predictions[0]
        rows.append(
            audit.entry(
                "prediction",
                client,
                user.id,
                prediction_ids=[p["prediction_id"] for p in predictions],
                symbols=req.stocks,
                cached=cached,
            )
        )
        await self._writer.write(session, rows)
        return {
            **{key: first[key] for key in FIRST_STOCK_FIELDS},
            "prediction_id": first["prediction_id"],
            "symbol": first["symbol"],
            "agent_id": first["agent_id"],
            "as_of": first["as_of"],
            "data_source": body["data_source"],
            "warnings": first["warnings"],
            "cached": cached,
            "predictions": predictions,
        }

    # --- the parts in memory ---------------------------------------------------

    def _news(self) -> NewsSource | None:
        if not self._news_ready:  # built on first use: most agents have no sentiment
            self._news_source = self.market_data.news_source()
            self._news_ready = True
        return self._news_source

    def _provider(self, source: str) -> MarketDataProvider:
        return self.market_data.provider(source)

    async def _inputs_for(self, item: ResolvedAgent) -> Inputs:
        """Feature rows of the latest bars, cached with the bars they come from."""
        prep = item.version.preprocessing
        columns = tuple(prep["feature_names"])
        lookback = int(prep["lookback"])
        bars = item.bars
        key = (
            item.agent.data_source,
            item.agent.symbol,
            item.agent.data_frequency,
            bars["timestamp"][-1],
            bars.height,
            tuple(item.agent.features),
            columns,
            lookback,
        )
        hit = self._inputs.get(key)
        if hit is not None:
            self._inputs.move_to_end(key)
            return hit
        notes = source_notes(
            self._provider(item.agent.data_source), item.agent.symbol, item.agent.data_frequency
        )
        if SENTIMENT_COLUMN in columns:  # the agent was trained with news sentiment
            # both columns; a version from before the coverage flag selects the score only
            bars, notes = await add_sentiment(
                bars,
                item.agent.symbol,
                self._news(),
                coverage_of="bars this call reads",
                tail=lookback,
            )
            if SENTIMENT_COLUMN not in bars.columns:
                bars = without_news(bars)
                notes.append("Without a news source the model sees neutral sentiment.")
        frame = serving_features(bars, item.agent.features)
        rows = frame.select(columns).tail(lookback).to_numpy().astype(np.float32)
        atr_column = feature_columns([ATR])[0]
        atr = float(frame[atr_column][-1] or 0.0)
        start = bars["timestamp"][-1]
        inputs = Inputs(
            rows=rows,
            last_close=float(bars["close"][-1]),
            closes=frame["close"].tail(lookback).to_numpy().astype(np.float64),
            atr=atr if math.isfinite(atr) else 0.0,
            bar_start=start,
            bar_close=bar_close(
                item.agent.data_frequency, start, calendar=calendar_of_agent(item.agent)
            ),
            notes=tuple(notes),
        )
        self._inputs[key] = inputs
        while len(self._inputs) > 1024:
            self._inputs.popitem(last=False)
        return inputs

    def _ttl(self, frequency: str, resolved: list[ResolvedAgent]) -> float:
        """Until the next bar is due (after that the key changes anyway)."""
        length = get_frequency(frequency).bar_length.total_seconds()
        return max(1.0, min(length, self.settings.prediction_cache_ttl_s))

    def _stale(self, item: ResolvedAgent) -> bool:
        """Measured from the end of the data the model learned, not from when it was
        trained: retraining on the same old bars does not make a model fresh."""
        now = datetime.now(UTC)
        return staleness.data_expired(item.agent, item.version, self.settings, now)

    @staticmethod
    def _as_of(req: PredictRequest) -> datetime | None:
        if req.as_of is None:
            return None
        return as_utc(req.as_of)


def _moment(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")

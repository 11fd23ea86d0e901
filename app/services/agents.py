"""Agents: the Creation workflow's rules (SPEC §5), free of HTTP.

Creation validates everything a trader could get wrong up front — dates,
frequency and horizon, the length of history, features, preferences, the data
source — and answers 422 with the field at fault, so a bad request never
becomes a late FAILED training run.
"""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.config import Settings
from app.core.calendars import calendar_of
from app.core.field_errors import FieldErrors
from app.core.instruments import UnknownInstrument, resolve
from app.core.pagination import keyset, page_of
from app.core.segments import UserSegment
from app.core.vocabulary import Architecture
from app.db import after_commit
from app.errors import Conflict, NotFound, Unprocessable
from app.ml.architectures import InvalidHyperparameters, default_hyperparameters
from app.models import Agent, AgentVersion, IdempotencyKey, TrainingJob, User
from app.models.agents import FINAL_STATES, AgentStatus, RetrainWindow, VersionRole
from app.models.base import utcnow
from app.schemas.agents import AgentCreate, AgentUpdate
from app.schemas.predictions import PredictRequest
from app.services import audit, training_jobs
from app.services.audit import ClientInfo
from app.services.features import DEFAULT_FEATURES, feature_warmup, normalize_features
from app.services.job_queue import JobQueue
from app.services.market_data.base import ensure_available, ensure_configured
from app.services.market_data.frequency import (
    calendar_span,
    get_frequency,
    horizon_bars,
    min_history_bars,
)
from app.services.notifications import Notifier, check_callback_url
from app.services.predictions.history import instrument_codes

# Deliberately generous ceilings (OWASP API4): a request cannot ask the worker
# for more history than it could train on in reasonable time.
MAX_BARS = 2_000_000
MIN_TEST_BARS = 50


class AgentNotFound(NotFound):
    code = "agent_not_found"
    message = "No such agent."


class IdempotencyKeyReused(Unprocessable):
    code = "idempotency_key_reused"
    message = (
        "This Idempotency-Key was used for a different request (another body, agent or "
        "operation); send a new key."
    )


@dataclass(frozen=True)
class Created:
    agent: Agent
    # The first version, the one the creation queued.
    version: AgentVersion
    replayed: bool


def estimated_bars(frequency: str, start: date, end: date) -> int:
    """Bars the calendar allows between the dates (business days × session bars)."""
    days = int(np.busday_count(start, end + timedelta(days=1)))
    return int(days * get_frequency(frequency).bars_per_session)


def history_needed(features: list[str], frequency: str, lookback: int, steps: int) -> int:
    """Bars an agent must be trained on: indicator warm-up, look-back, horizon and at
    least MIN_TEST_BARS test samples after the training and validation splits."""
    warmup = feature_warmup(features, frequency=frequency)
    return min_history_bars(lookback, steps, MIN_TEST_BARS, warmup=warmup)


def creation_request(req: PredictRequest, symbol: str) -> dict[str, Any]:
    """The agent-creation body that would make a 409'd /predict succeed."""
    freq = get_frequency(req.data_frequency)
    today = datetime.now(UTC).date()
    prefs = (
        req.model_preferences.model_dump(exclude_none=True)
        if req.model_preferences
        else {"architecture": "LSTM", "epochs": 20}
    )
    features = normalize_features(req.features) if req.features else list(DEFAULT_FEATURES)
    lookback = prefs.get("lookback")
    if not isinstance(lookback, int):
        architecture = str(prefs.get("architecture", "LSTM"))
        lookback = default_hyperparameters(
            freq.name, "LSTM" if architecture == Architecture.auto else architecture
        ).lookback
    steps = horizon_bars(freq, req.prediction_horizon)
    needed = history_needed(features, freq.name, lookback, steps)
    # Two years of daily bars, or two months of intraday ones, and always enough
    # history for the look-back, the warm-up and honest validation and test splits.
    span = max(
        timedelta(days=730 if not freq.intraday else 60),
        calendar_span(freq, needed, calendar=calendar_of(symbol)),
    )
    return {
        "name": f"{symbol} {req.data_frequency} {req.prediction_horizon}",
        "symbol": symbol,
        "data_source": "synthetic",
        "start_date": (today - span).isoformat(),
        "end_date": (today - timedelta(days=1)).isoformat(),
        "data_frequency": req.data_frequency,
        "prediction_horizon": req.prediction_horizon,
        "features": features,
        "sentiment_enabled": req.sentiment_enabled,
        "risk_params": {
            "capital_at_risk": req.capital_at_risk,
            "confidence_level": req.confidence_level,
        },
        "model_preferences": prefs,
    }


@functools.lru_cache(maxsize=4096)  # per /predict call: resolving costs tens of µs
def symbol_codes(symbol: str) -> tuple[str, ...]:
    """Every code an agent on `symbol`'s instrument may be stored under, whatever
    form was typed and whichever source it uses (AAPL, AAPL.O, AAPL US Equity), so a
    lookup by symbol finds them all; an unresolvable symbol matches only itself."""
    try:
        return tuple(sorted(resolve(symbol).aliases))
    except UnknownInstrument:
        return (symbol.strip().upper(),)


def _validate(data: AgentCreate, user: User, settings: Settings) -> dict[str, Any]:
    """Field-level checks that need more than one field, the user or the settings."""
    errors = FieldErrors()

    today = datetime.now(UTC).date()
    if data.end_date <= data.start_date:
        errors.add(["end_date"], "end_date must be after start_date")
    if data.end_date > today:
        errors.add(
            ["end_date"], f"end_date {data.end_date} is in the future (today is {today} UTC)"
        )
    if data.start_date < date(1970, 1, 1):
        errors.add(["start_date"], "start_date must be 1970-01-01 or later")

    steps: int | None = None
    try:
        calendar = calendar_of(data.symbol)  # as training will count it
        steps = horizon_bars(data.data_frequency, data.prediction_horizon, calendar=calendar)
    except Unprocessable as exc:
        errors.absorb(exc, ["prediction_horizon"])

    features = DEFAULT_FEATURES
    if data.features is not None:
        try:
            features = normalize_features(data.features)
        except Unprocessable as exc:
            errors.absorb(exc, ["features"])

    prefs = data.model_preferences
    architecture = prefs.architecture
    if "architecture" not in prefs.model_fields_set and user.user_segment != UserSegment.quant:
        architecture = Architecture.auto  # quants keep LSTM, the default they always had
    if user.user_segment != UserSegment.quant:
        for name in prefs.advanced():
            errors.add(
                ["model_preferences", name],
                f"only quant users may set {name}; the platform chooses it for you",
            )

    hyper: dict[str, Any] = {}
    if steps is not None and not errors:
        try:
            # `auto` trains every candidate with the same settings: LSTM's defaults.
            defaults_of = "LSTM" if architecture == Architecture.auto else architecture
            hyper = default_hyperparameters(
                data.data_frequency, defaults_of, **prefs.advanced()
            ).to_json()
            if prefs.seed is None:
                hyper.pop("seed")  # each training version then draws its own
        except InvalidHyperparameters as exc:
            errors.add(["model_preferences"], str(exc))
    lookback = int(hyper.get("lookback", prefs.lookback or 60))
    if steps is not None and not errors:
        available = estimated_bars(data.data_frequency, data.start_date, data.end_date)
        needed = history_needed(features, data.data_frequency, lookback, steps)
        if available < needed:
            errors.add(
                ["start_date"],
                f"{data.start_date}..{data.end_date} holds about {available} "
                f"{data.data_frequency} bars; at least {needed} are needed (indicator "
                f"warm-up, look-back {lookback}, horizon {steps} and at least {MIN_TEST_BARS} "
                "test samples after the training and validation splits): choose an earlier "
                "start_date",
            )
        elif available > MAX_BARS:
            errors.add(
                ["start_date"],
                f"{available} {data.data_frequency} bars exceed the "
                f"{MAX_BARS} limit: shorten the range or use a coarser frequency",
            )
    try:
        ensure_configured(data.data_source, settings)
    except Unprocessable as exc:
        errors.absorb(exc, ["data_source"])
    else:
        try:
            code = resolve(data.symbol).vendor_code(data.data_source)
            ensure_available(data.data_source, code, data.data_frequency, settings)
        except Unprocessable as exc:
            errors.absorb(exc, ["symbol"])
    if data.callback_url is not None:
        try:
            check_callback_url(str(data.callback_url), settings.allow_private_callbacks)
        except Unprocessable as exc:
            errors.add(["callback_url"], exc.message)
    errors.raise_if_any()
    return {
        "features": features,
        "hyperparameters": hyper,
        "horizon_bars": steps,
        "architecture": architecture,
    }


def _digest(request: dict[str, Any]) -> str:
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _request_hash(data: AgentCreate) -> str:
    # The body alone, as keys stored before retrains took keys were hashed: a
    # retrain's hash covers an object with other fields, so the two never match.
    return _digest(data.model_dump(mode="json"))


def _retrain_hash(agent_id: uuid.UUID, end_date: date | None, window: RetrainWindow) -> str:
    """The operation and the agent are hashed with the body, so a key that created an
    agent or retrained another one is refused (422) rather than replayed here."""
    return _digest(
        {
            "operation": "agent.retrain",
            "agent_id": str(agent_id),
            "end_date": end_date.isoformat() if end_date else None,
            "window": str(window),
        }
    )


async def create(
    session: AsyncSession,
    settings: Settings,
    queue: JobQueue,
    notifier: Notifier,
    user: User,
    data: AgentCreate,
    client: ClientInfo,
    idempotency_key: str | None = None,
) -> Created:
    if idempotency_key is not None:
        stored = await _stored_key(session, user, idempotency_key, _request_hash(data))
        if stored is not None:
            return await _replayed_creation(session, stored)
    resolved = _validate(data, user, settings)
    await _serialise_trainings(session, user)
    await training_jobs.check_concurrency(session, user, settings)
    # The schema resolved the symbol already; the source is asked for its own code.
    instrument = resolve(data.symbol)
    agent = Agent(
        user_id=user.id,
        name=data.name or f"{data.symbol} {data.data_frequency} {resolved['architecture']}",
        symbol=instrument.vendor_code(data.data_source),
        instrument=instrument.to_json(),
        data_source=data.data_source,
        data_frequency=data.data_frequency,
        prediction_horizon=data.prediction_horizon,
        start_date=data.start_date,
        end_date=data.end_date,
        features=resolved["features"],
        sentiment_enabled=data.sentiment_enabled,
        risk_params=data.risk_params.model_dump(),
        architecture=resolved["architecture"],
        epochs=data.model_preferences.epochs,
        hyperparameters=resolved["hyperparameters"],
        callback_url=str(data.callback_url) if data.callback_url else None,
        retrain_policy=data.retrain_policy.model_dump() if data.retrain_policy else None,
    )
    session.add(agent)
    await session.flush()
    claimed = None
    if idempotency_key is not None:
        claimed = await _claim_key(
            session, user, idempotency_key, _request_hash(data), agent_id=agent.id
        )
    version = await training_jobs.new_version(session, queue, agent, settings.training_max_attempts)
    if claimed is not None:
        claimed.version_id = version.id
        session.add(claimed)
        await session.flush()
    await audit.record(
        session,
        "agent.created",
        client,
        user.id,
        agent_id=str(agent.id),
        symbol=agent.symbol,
        architecture=agent.architecture,
    )
    await notifier.emit(session, agent, AgentStatus.QUEUED)
    return Created(agent, version, replayed=False)


async def _serialise_trainings(session: AsyncSession, user: User) -> None:
    """Make "count the user's active trainings, then add one" atomic in both modes.

    A write to the user's row first: on PostgreSQL it row-locks the user until this
    transaction ends (a concurrent creation waits here, then counts after our commit,
    READ COMMITTED taking a fresh snapshot per statement); on SQLite it opens the
    transaction with the database's one write lock (the driver begins before the
    first write), so the count below already sees every committed training."""
    await session.execute(
        update(User)
        .where(col(User.id) == user.id)
        .values(updated_at=col(User.updated_at))
        .execution_options(synchronize_session=False)
    )


async def _stored_key(
    session: AsyncSession,
    user: User,
    key: str,
    request_hash: str,
) -> IdempotencyKey | None:
    """The caller's earlier use of `key`, if any; 422 when it was for another request."""
    stored = await session.scalar(
        select(IdempotencyKey).where(
            col(IdempotencyKey.user_id) == user.id, col(IdempotencyKey.key) == key
        )
    )
    if stored is None:
        return None
    if stored.request_hash != request_hash:
        raise IdempotencyKeyReused(
            details=[
                {
                    "loc": ["header", "Idempotency-Key"],
                    "msg": IdempotencyKeyReused.message,
                    "type": "value_error",
                }
            ]
        )
    return stored


async def _claim_key(
    session: AsyncSession,
    user: User,
    key: str,
    request_hash: str,
    *,
    agent_id: uuid.UUID,
) -> IdempotencyKey:
    """Store the key in this request's transaction, before the version it guards.

    A concurrent request with the same key passed `_stored_key` too; its insert waits
    on the unique (user_id, key) index (PostgreSQL) or the write lock (SQLite) until
    the first commits, then fails here: 409, and it created nothing."""
    row = IdempotencyKey(user_id=user.id, key=key, request_hash=request_hash, agent_id=agent_id)
    session.add(row)
    try:
        await session.flush()
    except IntegrityError:  # the same key raced us; the first request wins
        raise Conflict("A request with this Idempotency-Key is in progress.") from None
    return row


async def _replayed_creation(session: AsyncSession, stored: IdempotencyKey) -> Created:
    agent = await session.get(Agent, stored.agent_id) if stored.agent_id else None
    version = await _keyed_version(session, stored, agent)
    if agent is None or version is None:
        raise AgentNotFound("The agent created with this Idempotency-Key was deleted.")
    return Created(agent, version, replayed=True)


async def _keyed_version(
    session: AsyncSession, stored: IdempotencyKey, agent: Agent | None
) -> AgentVersion | None:
    """The version a key's request queued; for a key written by an older release
    without it (a rolling deploy), a creation's: the agent's first version."""
    if stored.version_id is not None:
        return await session.get(AgentVersion, stored.version_id)
    if agent is None:
        return None
    return await session.scalar(
        select(AgentVersion)
        .where(col(AgentVersion.agent_id) == agent.id)
        .order_by(col(AgentVersion.number))
        .limit(1)
    )


async def get_owned(session: AsyncSession, user: User, agent_id: uuid.UUID) -> Agent:
    """The caller's agent, or 404 — another user's id never reveals it exists."""
    agent = await session.get(Agent, agent_id)
    if agent is None or agent.user_id != user.id:
        raise AgentNotFound()
    return agent


async def versions(session: AsyncSession, agent: Agent) -> list[AgentVersion]:
    return list(
        (
            await session.scalars(
                select(AgentVersion)
                .where(col(AgentVersion.agent_id) == agent.id)
                .order_by(col(AgentVersion.number).desc())
            )
        ).all()
    )


async def list_page(
    session: AsyncSession,
    user: User,
    *,
    limit: int,
    cursor: str | None = None,
    symbol: str | None = None,
    status: AgentStatus | None = None,
    architecture: str | None = None,
    data_frequency: str | None = None,
) -> tuple[list[Agent], str | None]:
    """The caller's agents, newest first; `symbol` matches every agent on its
    instrument (AAPL finds agents on AAPL.O and AAPL US Equity), and one no source can
    resolve is a 422 on the `symbol` query field, as in the predictions history."""
    query = select(Agent).where(col(Agent.user_id) == user.id)
    if symbol:
        query = query.where(col(Agent.symbol).in_(instrument_codes(symbol)))
    if status:
        query = query.where(col(Agent.status) == status)
    if architecture:
        query = query.where(func.lower(col(Agent.architecture)) == architecture.lower())
    if data_frequency:
        query = query.where(col(Agent.data_frequency) == data_frequency)
    query = keyset(query, col(Agent.created_at), col(Agent.id), cursor, limit)
    return page_of((await session.scalars(query)).all(), limit)


async def cancel(
    session: AsyncSession, notifier: Notifier, user: User, agent_id: uuid.UUID, client: ClientInfo
) -> Agent:
    """A queued job is cancelled at once; a running one is stopped by its worker."""
    agent = await get_owned(session, user, agent_id)
    job = await _latest_job(session, agent)
    if job is None or job.state in FINAL_STATES:
        raise Conflict(f"The agent is {agent.status}; there is no training to cancel.")
    await training_jobs.request_cancel(session, notifier, agent, job)
    await audit.record(session, "agent.cancel", client, user.id, agent_id=str(agent.id))
    return agent


async def change(
    session: AsyncSession, user: User, agent_id: uuid.UUID, data: AgentUpdate, client: ClientInfo
) -> Agent:
    """Change what may change after creation: today the `retrain_policy` (null clears
    it). The scheduler reads the policy from the row on every pass, so the next pass
    follows the new one; a retrain already queued or running is left alone."""
    agent = await get_owned(session, user, agent_id)
    policy = data.retrain_policy.model_dump() if data.retrain_policy else None
    if agent.retrain_policy != policy:
        agent.retrain_policy = policy
        agent.updated_at = utcnow()
        session.add(agent)
    await audit.record(
        session, "agent.updated", client, user.id, agent_id=str(agent.id), retrain_policy=policy
    )
    return agent


@dataclass(frozen=True)
class Retrain:
    agent: Agent
    version: AgentVersion
    # The id just before the run's first event: a stream that starts after it
    # follows this run only, not the agent's earlier ones.
    events_after_id: int
    # True when an `Idempotency-Key` replayed an earlier retrain: nothing was queued.
    replayed: bool = False


async def retrain(
    session: AsyncSession,
    queue: JobQueue,
    notifier: Notifier,
    settings: Settings,
    user: User,
    agent_id: uuid.UUID,
    client: ClientInfo,
    *,
    end_date: date | None = None,
    window: RetrainWindow = RetrainWindow.ROLLING,
    idempotency_key: str | None = None,
) -> Retrain:
    """A challenger on newer data: bars up to `end_date` (today by default), the range
    rolled forward at the same length or expanded from the same start. The champion
    keeps serving; the challenger serves only if the gate finds it not worse.

    With `idempotency_key`, a retry answers the version the first request queued
    (checked before the "already queued" 409, which that version itself would raise)."""
    agent = await get_owned(session, user, agent_id)
    request_hash = _retrain_hash(agent.id, end_date, window)
    if idempotency_key is not None:
        stored = await _stored_key(session, user, idempotency_key, request_hash)
        if stored is not None:
            return await _replayed_retrain(session, agent, stored)
    job = await _latest_job(session, agent)
    if job is not None and job.state not in FINAL_STATES:
        raise Conflict("A training of this agent is already queued or running.")
    start, end = await _retrain_range(session, agent, end_date, window)
    await _serialise_trainings(session, user)
    claimed = None
    if idempotency_key is not None:
        claimed = await _claim_key(session, user, idempotency_key, request_hash, agent_id=agent.id)
    await training_jobs.check_concurrency(session, user, settings)
    version = await training_jobs.new_version(
        session,
        queue,
        agent,
        settings.training_max_attempts,
        start_date=start,
        end_date=end,
        window=window,
    )
    await audit.record(
        session,
        "agent.retrain",
        client,
        user.id,
        agent_id=str(agent.id),
        start_date=start.isoformat(),
        end_date=end.isoformat(),
        window=str(window),
    )
    note = await notifier.emit(session, agent, AgentStatus.QUEUED, version)
    events_after_id = (note.id or 1) - 1
    if claimed is not None:
        claimed.version_id, claimed.events_after_id = version.id, events_after_id
        session.add(claimed)
        await session.flush()
    return Retrain(agent, version, events_after_id)


async def _replayed_retrain(session: AsyncSession, agent: Agent, stored: IdempotencyKey) -> Retrain:
    version = await session.get(AgentVersion, stored.version_id) if stored.version_id else None
    if version is None or version.agent_id != agent.id:
        raise AgentNotFound("The version retrained with this Idempotency-Key was deleted.")
    return Retrain(agent, version, stored.events_after_id or 0, replayed=True)


async def _retrain_range(
    session: AsyncSession, agent: Agent, end_date: date | None, window: RetrainWindow
) -> tuple[date, date]:
    """The new version's date range, from the latest version's (the agent's for
    versions from before ranges were kept)."""
    latest = await session.scalar(
        select(AgentVersion)
        .where(col(AgentVersion.agent_id) == agent.id, col(AgentVersion.end_date).is_not(None))
        .order_by(col(AgentVersion.number).desc())
        .limit(1)
    )
    previous_start = (latest.start_date if latest else None) or agent.start_date
    previous_end = (latest.end_date if latest else None) or agent.end_date
    today = datetime.now(UTC).date()
    end = end_date or max(today, previous_end)
    if end > today:
        raise Unprocessable.field(["body", "end_date"], f"end_date {end} is in the future.")
    if end < previous_end:
        raise Unprocessable.field(
            ["body", "end_date"],
            f"end_date {end} is before the latest version's end ({previous_end}): a retrain "
            "learns newer bars, not older ones.",
        )
    if window == RetrainWindow.EXPANDING:
        return previous_start, end
    return end - (previous_end - previous_start), end


class VersionNotFound(NotFound):
    code = "version_not_found"
    message = "No such version of this agent."


async def promote(
    session: AsyncSession,
    notifier: Notifier,
    user: User,
    agent_id: uuid.UUID,
    version_id: uuid.UUID,
    client: ClientInfo,
    *,
    reason: str = "promoted by the user",
) -> Agent:
    """Serve `version_id` from now on: a candidate the gate held back, or an older
    version (a rollback). Every API process reads the serving version per request."""
    agent = await get_owned(session, user, agent_id)
    version = await session.get(AgentVersion, version_id)
    if version is None or version.agent_id != agent.id:
        raise VersionNotFound()
    if version.status != AgentStatus.READY:
        raise Conflict(f"Version {version.number} is {version.status}; only a READY one serves.")
    if agent.serving_version_id == version.id:
        return agent
    await training_jobs.promote(session, notifier, agent, version, reason)
    await audit.record(
        session,
        "agent.promote",
        client,
        user.id,
        agent_id=str(agent.id),
        version_id=str(version.id),
    )
    return agent


async def rollback(
    session: AsyncSession, notifier: Notifier, user: User, agent_id: uuid.UUID, client: ClientInfo
) -> Agent:
    """Back to the champion before the serving one (the latest retired READY version)."""
    agent = await get_owned(session, user, agent_id)
    previous = await session.scalar(
        select(AgentVersion)
        .where(
            col(AgentVersion.agent_id) == agent.id,
            col(AgentVersion.role) == VersionRole.RETIRED,
            col(AgentVersion.status) == AgentStatus.READY,
        )
        .order_by(col(AgentVersion.number).desc())
        .limit(1)
    )
    if previous is None:
        raise Conflict("This agent has no earlier champion to roll back to.")
    return await promote(
        session, notifier, user, agent_id, previous.id, client, reason="rolled back by the user"
    )


async def remove(
    session: AsyncSession, settings: Settings, user: User, agent_id: uuid.UUID, client: ClientInfo
) -> Agent:
    """The agent, its versions and jobs; its weights go once the deletion is committed."""
    agent = await get_owned(session, user, agent_id)
    job = await _latest_job(session, agent)
    if job is not None and job.state not in FINAL_STATES:
        job.cancel_requested = True  # a running worker notices and stops
        session.add(job)
    await session.execute(delete(TrainingJob).where(col(TrainingJob.agent_id) == agent.id))
    await session.execute(delete(AgentVersion).where(col(AgentVersion.agent_id) == agent.id))
    await session.execute(
        update(IdempotencyKey)
        .where(col(IdempotencyKey.agent_id) == agent.id)
        .values(agent_id=None, version_id=None, events_after_id=None)
    )
    await session.delete(agent)
    await audit.record(session, "agent.deleted", client, user.id, agent_id=str(agent_id))
    await session.flush()

    async def delete_weights() -> None:
        # The path is built from a validated UUID the caller owns, never from request text.
        shutil.rmtree(settings.models_path / str(agent_id), ignore_errors=True)

    after_commit(session, delete_weights)
    return agent


async def _latest_job(session: AsyncSession, agent: Agent) -> TrainingJob | None:
    return await session.scalar(
        select(TrainingJob)
        .where(col(TrainingJob.agent_id) == agent.id)
        .order_by(col(TrainingJob.created_at).desc())
        .limit(1)
    )

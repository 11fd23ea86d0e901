"""Agents, their versions, their training jobs.

An agent is the user's request ("an LSTM on AAPL 1-minute bars, 1-hour
horizon"); each training run makes a new *version*; the agent serves its newest
READY version (`serving_version_id`) while a retrain is under way. A training
job row is the truth about a run — state, attempts, heartbeat — whatever the
queue remembers (ARQ keeps results for an hour at most).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, created_at_field, utcnow, uuid_pk


class AgentStatus(StrEnum):
    QUEUED = "QUEUED"
    FETCHING_DATA = "FETCHING_DATA"
    VALIDATING = "VALIDATING"
    TRAINING = "TRAINING"
    EVALUATING = "EVALUATING"
    READY = "READY"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


RUNNING_STATES = frozenset(
    {
        AgentStatus.FETCHING_DATA,
        AgentStatus.VALIDATING,
        AgentStatus.TRAINING,
        AgentStatus.EVALUATING,
    }
)
FINAL_STATES = frozenset({AgentStatus.READY, AgentStatus.FAILED, AgentStatus.CANCELLED})
FAILED_OR_CANCELLED = frozenset({AgentStatus.FAILED, AgentStatus.CANCELLED})


class VersionRole(StrEnum):
    """A READY version's place: the `champion` serves (one per agent), a `candidate`
    was judged not better than the champion of its day, a `retired` one served before."""

    CHAMPION = "champion"
    CANDIDATE = "candidate"
    RETIRED = "retired"


class RetrainWindow(StrEnum):
    """How a retrain moves the training range to its new end: `rolling` keeps its
    length, `expanding` keeps its start."""

    ROLLING = "rolling"
    EXPANDING = "expanding"


def json_column() -> Any:
    return Column(JSON, nullable=False)


def json_field(default_factory: Any = dict) -> Any:
    return Field(default_factory=default_factory, sa_column=json_column())


class Agent(SQLModel, table=True):
    __tablename__ = "agents"
    __table_args__ = (
        Index("ix_agents_user_id_created_at_id", "user_id", "created_at", "id"),
        Index("ix_agents_user_id_symbol_status", "user_id", "symbol", "status"),
    )

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    name: str = Field(max_length=120)
    # The code the data source is asked for (the instrument's vendor code for it).
    symbol: str = Field(max_length=32)
    data_source: str = Field(max_length=16)
    # What the symbol resolved to (`app.core.instruments.Instrument.to_json`).
    instrument: dict[str, Any] = json_field()
    data_frequency: str = Field(max_length=8)
    prediction_horizon: str = Field(max_length=8)
    start_date: date
    end_date: date
    features: list[str] = json_field(list)
    sentiment_enabled: bool = False
    risk_params: dict[str, Any] = json_field()
    architecture: str = Field(max_length=16)
    epochs: int
    hyperparameters: dict[str, Any] = json_field()
    callback_url: str | None = Field(default=None, max_length=2048)
    status: str = Field(default=AgentStatus.QUEUED, max_length=16)
    failure_stage: str | None = Field(default=None, max_length=16)
    failure_reason: str | None = Field(default=None, max_length=2000)
    progress: dict[str, Any] = json_field()
    serving_version_id: uuid.UUID | None = Field(default=None)
    needs_retraining: bool = False
    # {"every_bars": N | null, "when_stale": bool}: the scheduler retrains by it.
    retrain_policy: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True)
    )
    # Why `needs_retraining` is set: [{"reason": "data_age" | "drift" | "live_record", ...}].
    stale_reasons: list[dict[str, Any]] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True)
    )
    created_at: datetime = created_at_field()
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class AgentVersion(SQLModel, table=True):
    __tablename__ = "agent_versions"
    __table_args__ = (
        UniqueConstraint("agent_id", "number", name="uq_agent_versions_agent_number"),
    )

    id: uuid.UUID = uuid_pk()
    agent_id: uuid.UUID = Field(foreign_key="agents.id", index=True, ondelete="CASCADE")
    number: int
    status: str = Field(default=AgentStatus.QUEUED, max_length=16)
    weights_path: str | None = Field(default=None, max_length=1024)
    sha256: str | None = Field(default=None, max_length=64)
    preprocessing: dict[str, Any] = json_field()
    calibration: dict[str, Any] = json_field()
    metrics: dict[str, Any] = json_field()
    loss_curve: list[dict[str, Any]] = json_field(list)
    # The span of the bars the version was trained, validated and tested on: the
    # first bar's start to the last bar's close (null for versions from before).
    data_start: datetime | None = Field(default=None, sa_type=UTCDateTime)
    data_end: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The rolling-origin folds the version was judged on (`app.ml.walk_forward`).
    walk_forward: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # What the version was asked to learn: the bars' date range and how the range was
    # moved on a retrain ("rolling" keeps the length, "expanding" the start), and
    # the architecture trained (`auto` picks one per version).
    start_date: date | None = None
    end_date: date | None = None
    window: str | None = Field(default=None, max_length=16)
    architecture: str | None = Field(default=None, max_length=16)
    # "champion" (serves or served), "candidate" (READY, judged not better than the
    # champion), "retired" (a champion replaced); null while it trains.
    role: str | None = Field(default=None, max_length=16)
    # How the version was judged against the champion of the day (both evaluations).
    decision: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # `auto`'s candidates, each architecture's validation loss and test metrics.
    leaderboard: list[dict[str, Any]] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True)
    )
    failure_stage: str | None = Field(default=None, max_length=16)
    failure_reason: str | None = Field(default=None, max_length=2000)
    created_at: datetime = created_at_field()
    ready_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class TrainingJob(SQLModel, table=True):
    """One training run of one version (same id as the version)."""

    __tablename__ = "training_jobs"
    __table_args__ = (Index("ix_training_jobs_state_heartbeat_at", "state", "heartbeat_at"),)

    id: uuid.UUID = Field(primary_key=True, foreign_key="agent_versions.id", ondelete="CASCADE")
    agent_id: uuid.UUID = Field(foreign_key="agents.id", index=True, ondelete="CASCADE")
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    state: str = Field(default=AgentStatus.QUEUED, max_length=16)
    progress: dict[str, Any] = json_field()
    attempts: int = 0
    max_attempts: int = 2
    cancel_requested: bool = False
    failure_stage: str | None = Field(default=None, max_length=16)
    error: str | None = Field(default=None, max_length=2000)
    lease_token: str | None = Field(default=None, max_length=64)
    enqueued_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    heartbeat_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = created_at_field()
    # Back-off after a transient failure (a vendor's 429, 5xx, timeout): nothing
    # enqueues the job before `next_attempt_at`, and such retries are counted here,
    # not in `attempts` (the budget for crashes).
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    transient_retries: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # Times a worker shutting down (a deploy) stopped the run at an epoch boundary and
    # re-queued it with a checkpoint; not counted in `attempts` either.
    interruptions: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class TrainingCheckpoint(SQLModel, table=True):
    """Where an interrupted run stopped (`app.ml.checkpoint`), for whichever worker
    claims the job next; deleted when the job ends."""

    __tablename__ = "training_checkpoints"

    job_id: uuid.UUID = Field(primary_key=True, foreign_key="training_jobs.id", ondelete="CASCADE")
    epoch: int
    size: int = Field(sa_type=BigInteger)
    sha256: str = Field(max_length=64)
    data: bytes = Field(sa_type=LargeBinary)
    created_at: datetime = created_at_field()


class IdempotencyKey(SQLModel, table=True):
    """A creation or a retrain retried with the same `Idempotency-Key` answers what the
    first request did. One table per user for both: `request_hash` covers the
    operation, the agent and the body, so a key never replays another operation."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    key: str = Field(max_length=255)
    request_hash: str = Field(max_length=64)
    agent_id: uuid.UUID | None = Field(default=None)
    # The version the request queued (a creation's first, a retrain's challenger) and,
    # for a retrain, the notification id its `events_url` starts after: what a replay
    # answers again. Like `agent_id`, nulled when the agent is deleted.
    version_id: uuid.UUID | None = Field(default=None)
    events_after_id: int | None = Field(default=None)
    created_at: datetime = created_at_field()


class Notification(SQLModel, table=True):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_id_id", "user_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    agent_id: uuid.UUID | None = Field(
        default=None, foreign_key="agents.id", index=True, ondelete="SET NULL"
    )
    event: str = Field(max_length=32)
    payload: dict[str, Any] = json_field()
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = created_at_field()

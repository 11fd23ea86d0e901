"""Agent requests and answers (the Create/Public family of the `app.models.agents` tables)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator

from app.core.hyperparameters import RANGES
from app.models.agents import AgentStatus
from app.models.base import NulFreeStr

TICKER_PATTERN = r"^[A-Z][A-Z0-9]{0,9}([.\-][A-Z0-9]{1,4})?$"
Architecture = Literal["LSTM", "CNN", "Transformer"]
DataSource = Literal["synthetic", "csv", "refinitiv", "bloomberg", "sample"]
ADVANCED_PREFERENCES = (
    "lookback",
    "layers",
    "units",
    "dropout",
    "learning_rate",
    "batch_size",
    "seed",
)
MAX_EPOCHS = 200


class RiskParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    capital_at_risk: float = Field(default=0.02, gt=0, le=0.25)
    confidence_level: float = Field(default=0.6, ge=0.5, lt=1)


class ModelPreferences(BaseModel):
    """Architecture and epochs for everyone; the rest is for `quant` users only."""

    model_config = ConfigDict(extra="forbid")

    architecture: Architecture = "LSTM"
    epochs: int = Field(default=20, ge=1, le=MAX_EPOCHS)
    # Bounds are the ML core's own (app.core.hyperparameters.RANGES), so the API never
    # accepts what training would refuse.
    lookback: int | None = Field(
        default=None, ge=int(RANGES["lookback"][0]), le=int(RANGES["lookback"][1])
    )
    layers: int | None = Field(
        default=None, ge=int(RANGES["layers"][0]), le=int(RANGES["layers"][1])
    )
    units: int | None = Field(default=None, ge=int(RANGES["units"][0]), le=int(RANGES["units"][1]))
    dropout: float | None = Field(default=None, ge=RANGES["dropout"][0], le=RANGES["dropout"][1])
    learning_rate: float | None = Field(
        default=None, ge=RANGES["learning_rate"][0], le=RANGES["learning_rate"][1]
    )
    batch_size: int | None = Field(
        default=None, ge=int(RANGES["batch_size"][0]), le=int(RANGES["batch_size"][1])
    )
    # Fixes weight initialisation and shuffling, so the same data and settings give
    # the same model again on the same build (quants compare runs); by default each
    # training version draws its own.
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1)

    @field_validator("architecture", mode="before")
    @classmethod
    def _case_insensitive(cls, value: Any) -> Any:
        if isinstance(value, str):
            for name in ("LSTM", "CNN", "Transformer"):
                if value.strip().lower() == name.lower():
                    return name
        return value

    def advanced(self) -> dict[str, Any]:
        return {
            name: getattr(self, name)
            for name in ADVANCED_PREFERENCES
            if getattr(self, name) is not None
        }


# SPEC §5's example creation body: the schema's example, the demo's and a test's.
SEED_AGENT_EXAMPLE: dict[str, Any] = {
    "name": "AAPL intraday",
    "symbol": "AAPL",
    "data_source": "synthetic",
    "start_date": "2025-01-02",
    "end_date": "2025-06-30",
    "data_frequency": "1min",
    "prediction_horizon": "1h",
    "features": ["SMA", "EMA", "MACD", "volatility"],
    "sentiment_enabled": False,
    "risk_params": {"capital_at_risk": 0.02, "confidence_level": 0.7},
    "model_preferences": {"architecture": "LSTM", "epochs": 20},
    "callback_url": None,
}


class AgentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [SEED_AGENT_EXAMPLE]})

    name: NulFreeStr | None = Field(default=None, min_length=1, max_length=120)
    symbol: str = Field(pattern=TICKER_PATTERN, description="Ticker, e.g. AAPL or BRK.B")
    data_source: DataSource = "synthetic"
    start_date: date
    end_date: date
    data_frequency: str = Field(examples=["1min", "5min", "15min", "30min", "1h", "1d", "1wk"])
    prediction_horizon: str = Field(examples=["1h", "1d"])
    features: list[str] | None = Field(default=None, max_length=20)
    sentiment_enabled: bool = False
    risk_params: RiskParams = Field(default_factory=RiskParams)
    model_preferences: ModelPreferences = Field(default_factory=ModelPreferences)
    callback_url: AnyHttpUrl | None = None

    @field_validator("symbol", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value


class AgentAccepted(BaseModel):
    agent_id: uuid.UUID
    status: AgentStatus
    status_url: str
    events_url: str


class AgentVersionPublic(BaseModel):
    id: uuid.UUID
    number: int
    status: str
    sha256: str | None
    metrics: dict[str, Any]
    loss_curve: list[dict[str, Any]]
    created_at: datetime
    ready_at: datetime | None


class TrackRecord(BaseModel):
    """An agent's live record: calls whose horizon has passed, and how many were right.

    A call is counted once per (agent version, symbol, bar), however often it was
    asked for; a call is right when the price moved the way it was forecast to.
    """

    n_calls: int = Field(default=0, ge=0, description="Calls whose outcome is known.")
    n_right: int = Field(default=0, ge=0)
    hit_rate: float | None = Field(
        default=None, description="n_right / n_calls; null before the first outcome."
    )

    @classmethod
    def of(cls, n_calls: int, n_right: int) -> TrackRecord:
        return cls(
            n_calls=n_calls,
            n_right=n_right,
            hit_rate=round(n_right / n_calls, 4) if n_calls else None,
        )


class AgentPublic(BaseModel):
    id: uuid.UUID
    name: str
    symbol: str
    data_source: str
    data_frequency: str
    prediction_horizon: str
    start_date: date
    end_date: date
    features: list[str]
    sentiment_enabled: bool
    risk_params: dict[str, Any]
    architecture: str
    epochs: int
    hyperparameters: dict[str, Any]
    callback_url: str | None
    status: AgentStatus
    failure_stage: str | None
    failure_reason: str | None
    progress: dict[str, Any]
    serving_version_id: uuid.UUID | None
    needs_retraining: bool
    data_warnings: list[str] = Field(
        default_factory=list,
        description="What to know about the agent's data, e.g. that the bars are synthetic.",
    )
    metrics: dict[str, Any] | None = Field(
        default=None, description="Evaluation metrics of the serving version."
    )
    versions: list[AgentVersionPublic] = Field(default_factory=list)
    track_record: TrackRecord = Field(default_factory=TrackRecord)
    created_at: datetime
    updated_at: datetime


class AgentPage(BaseModel):
    items: list[AgentPublic]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


SortOrder = Literal["asc", "desc"]

"""Agent requests and answers (the Create/Public family of the `app.models.agents` tables)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from typing_extensions import TypedDict

from app.core.hyperparameters import RANGES
from app.core.instruments import ACCEPTED_FORMS, InstrumentKind, resolve
from app.core.vocabulary import Architecture, DataFrequency, DataSource, Feature
from app.models.agents import AgentStatus, RetrainWindow, VersionRole
from app.models.base import NulFreeStr
from app.schemas.base import Output, Stored, shape
from app.schemas.stored import (
    AgentMetrics,
    AgentRiskParams,
    Decision,
    Hyperparameters,
    LeaderboardEntry,
    LossPoint,
    Progress,
    StaleReason,
    WalkForward,
)

SYMBOL_DESCRIPTION = (
    f"What you would type on your terminal: {ACCEPTED_FORMS}. RICs keep their letter "
    "case (BRKb.N); everything else is read in any case. docs/MARKET_DATA.md lists the "
    "exchanges, indices and currencies the platform knows."
)
SYMBOL_EXAMPLES = ["AAPL", "BRK.B", "AAPL.O", "BRKb.N", "VOD LN Equity", "SPX Index", "EUR="]
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
# What a horizon looks like ("30min", "2h", "1d", "1wk"; any letter case, blanks
# around). Documented here rather than enforced: the services parse it and answer a
# mistake with a fuller message (the count's range, the allowed units). It must
# match everything `app.services.market_data.frequency.parse_horizon` accepts.
HORIZON_PATTERN = r"^\s*\d+\s*([Mm][Ii][Nn]|[Hh]|[Dd]|[Ww][Kk])\s*$"
HorizonText = Annotated[
    str, WithJsonSchema({"type": "string", "pattern": HORIZON_PATTERN, "examples": ["1h", "1d"]})
]


def _spelling(kind: type[StrEnum]) -> Callable[[Any], Any]:
    """A before-validator that maps any letter case (and blanks around) to the member,
    so a field can name the enum in the schema and still accept every spelling it
    always has; anything else is left for the enum's own error, which lists the
    allowed values."""
    folded = {member.value.lower(): member for member in kind}

    def canonical(value: Any) -> Any:
        return folded.get(value.strip().lower(), value) if isinstance(value, str) else value

    return canonical


def symbol_text(value: Any) -> Any:
    """A typed symbol in its canonical spelling (`Instrument.entered`), or the
    resolver's refusal with the accepted forms (a field-level 422)."""
    return resolve(value).entered if isinstance(value, str) else value


SymbolIn = Annotated[
    str,
    Field(min_length=1, max_length=40, description=SYMBOL_DESCRIPTION, examples=SYMBOL_EXAMPLES),
    AfterValidator(symbol_text),
]
FrequencyIn = Annotated[DataFrequency, BeforeValidator(_spelling(DataFrequency))]
FeatureIn = Annotated[Feature, BeforeValidator(_spelling(Feature))]
ArchitectureIn = Annotated[Architecture, BeforeValidator(_spelling(Architecture))]


class RiskParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    capital_at_risk: float = Field(default=0.02, gt=0, le=0.25)
    confidence_level: float = Field(default=0.6, ge=0.5, lt=1)


class ModelPreferences(BaseModel):
    """Architecture and epochs for everyone; the rest is for `quant` users only."""

    model_config = ConfigDict(extra="forbid")

    # Left out, a quant gets LSTM (as always) and anyone else `auto`: `_validate`
    # tells "not named" from "LSTM" by `model_fields_set`.
    architecture: Architecture = Field(
        default=Architecture.LSTM,
        description="Any letter case. Left out: LSTM for quant users, `auto` for everyone "
        "else (trains LSTM, CNN and Transformer and serves the best on validation loss).",
    )
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
            for name in Architecture:
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


class RetrainPolicy(BaseModel):
    """When the scheduler retrains the agent by itself, through the same path as
    `POST /agents/{id}/retrain`: after `every_bars` new bars of its frequency past the
    serving version's data, and/or whenever it is flagged stale. At least one is set."""

    model_config = ConfigDict(extra="forbid")

    every_bars: int | None = Field(
        default=None,
        ge=1,
        le=100_000,
        description="Retrain once this many bars have passed since the serving version's last bar.",
    )
    when_stale: bool = Field(
        default=False,
        validate_default=True,
        description="Retrain when the agent is flagged stale (`stale_reasons`).",
    )

    @field_validator("when_stale")
    @classmethod
    def _something_set(cls, value: bool, info: ValidationInfo) -> bool:
        # Checked on the last field, so the error names it; skipped when every_bars
        # itself was invalid (that error is the one to fix).
        if "every_bars" in info.data and info.data["every_bars"] is None and not value:
            raise ValueError("set every_bars, or when_stale to true (or both)")
        return value


class AgentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [SEED_AGENT_EXAMPLE]})

    name: NulFreeStr | None = Field(default=None, min_length=1, max_length=120)
    symbol: SymbolIn
    data_source: DataSource = DataSource.synthetic
    start_date: date
    end_date: date
    data_frequency: FrequencyIn = Field(description="Bar length; any letter case.")
    prediction_horizon: HorizonText
    features: list[FeatureIn] | None = Field(
        default=None, max_length=20, description="Indicators; any letter case."
    )
    sentiment_enabled: bool = False
    risk_params: RiskParams = Field(default_factory=RiskParams)
    model_preferences: ModelPreferences = Field(default_factory=ModelPreferences)
    callback_url: AnyHttpUrl | None = None
    retrain_policy: RetrainPolicy | None = None


class RetrainRequest(BaseModel):
    """Optional: without a body a retrain learns up to today on a rolling window."""

    model_config = ConfigDict(extra="forbid")

    end_date: date | None = Field(
        default=None,
        description="Last day of bars to learn (default: today, i.e. the latest complete "
        "bar). Not before the latest version's end_date, not in the future.",
    )
    window: RetrainWindow = Field(
        default=RetrainWindow.ROLLING,
        description='"rolling": the same length of history, moved forward; "expanding": '
        "from the same start to the new end.",
    )


class AgentUpdate(BaseModel):
    """What may change on an existing agent (`PATCH /agents/{id}`)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"retrain_policy": {"every_bars": 20, "when_stale": True}}]
        },
    )

    # Required, so a body that forgets it is a 422 rather than a silent no-op.
    retrain_policy: RetrainPolicy | None = Field(
        description="The new policy, replacing the old one whole; null clears it (the agent "
        "is then retrained only on request)."
    )


class AgentAccepted(Output):
    agent_id: uuid.UUID
    version_id: uuid.UUID = Field(
        description="The version this request queued: the first on creation, the "
        "challenger on a retrain (a replayed request names the same one)."
    )
    status: AgentStatus
    status_url: str
    events_url: str


class AgentVersionPublic(Output):
    id: uuid.UUID
    number: int
    status: AgentStatus
    sha256: str | None
    metrics: Annotated[dict[str, Any], Stored(AgentMetrics)]
    loss_curve: list[Annotated[dict[str, Any], Stored(LossPoint)]]
    walk_forward: Annotated[dict[str, Any], Stored(WalkForward)] | None = Field(
        default=None,
        description="The rolling-origin folds the version was judged on; null when "
        "walk-forward was off or the history too short for one fold.",
    )
    start_date: date | None = Field(description="First day of bars asked for.")
    end_date: date | None = Field(description="Last day of bars asked for.")
    window: RetrainWindow | None = Field(description="How a retrain moved the range.")
    architecture: Architecture | None = Field(
        description="The network this version trained (`auto` picks one per version)."
    )
    role: VersionRole | None = Field(
        description="champion (serves), candidate (held back by the gate), retired; "
        "null until READY."
    )
    decision: Annotated[dict[str, Any], Stored(Decision)] | None = Field(
        description="The champion/challenger verdict with both evaluations; null for a "
        "first version."
    )
    leaderboard: list[Annotated[dict[str, Any], Stored(LeaderboardEntry)]] | None = Field(
        description="`auto`: each architecture trained, its validation loss (what chose) "
        "and, for comparison only, its test figures; null otherwise."
    )
    failure_stage: AgentStatus | None
    failure_reason: str | None
    created_at: datetime
    ready_at: datetime | None


class TrackRecord(Output):
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


@shape
class InstrumentShape(TypedDict, total=False):
    """The instrument an agent's symbol resolved to (`app.core.instruments`); an
    agent from before instruments has the one its symbol resolves to today."""

    symbol: Annotated[str, Field(description="Display symbol: AAPL, BRK.B, VOD.L, ^SPX, EURUSD.")]
    kind: InstrumentKind
    entered: Annotated[str, Field(description="The symbol as typed, canonically spelled.")]
    vendor_codes: Annotated[
        dict[str, str],
        Field(
            description="The code each data source is asked for (RIC, Bloomberg security, "
            "file name, ticker)."
        ),
    ]
    mic: Annotated[str | None, Field(description="ISO 10383 MIC; null when no venue is named.")]
    exchange: str
    currency: Annotated[
        str, Field(description="The unit prices are quoted in (ISO 4217; GBX: pence).")
    ]
    amount_currency: Annotated[
        str, Field(description="The currency of amounts (max_loss, equity): GBP for GBX.")
    ]
    price_divisor: Annotated[
        int, Field(description="Price units per unit of amount_currency (100 for GBX).")
    ]
    timezone: Annotated[str, Field(description="IANA time zone of the exchange.")]
    calendar: Annotated[str, Field(description="exchange-calendars name (XNYS, XLON, 24/5).")]
    tick_size: float


class AgentPublic(Output):
    id: uuid.UUID
    name: str
    symbol: str = Field(
        description="The code the agent's data source is asked for (its instrument's "
        "vendor code: a RIC on refinitiv, a Bloomberg security on bloomberg)."
    )
    instrument: Annotated[dict[str, Any], Stored(InstrumentShape)] = Field(
        description="What the symbol resolved to: display symbol, vendor codes, exchange, "
        "currency, time zone and calendar."
    )
    data_source: DataSource
    data_frequency: DataFrequency
    prediction_horizon: str
    start_date: date
    end_date: date
    features: list[Feature]
    sentiment_enabled: bool
    risk_params: Annotated[dict[str, Any], Stored(AgentRiskParams)]
    architecture: Architecture
    epochs: int
    hyperparameters: Annotated[dict[str, Any], Stored(Hyperparameters)]
    callback_url: str | None
    status: AgentStatus
    failure_stage: AgentStatus | None
    failure_reason: str | None
    progress: Annotated[dict[str, Any], Stored(Progress)]
    serving_version_id: uuid.UUID | None
    needs_retraining: bool
    stale_reasons: list[Annotated[dict[str, Any], Stored(StaleReason)]] | None = Field(
        description="Why needs_retraining is set: data_age, drift or live_record, each "
        "with a plain-English detail and its numbers; null when not stale."
    )
    retrain_policy: RetrainPolicy | None = Field(
        description="When the platform retrains the agent by itself; null: only on request."
    )
    data_warnings: list[str] = Field(
        default_factory=list,
        description="What to know about the agent's data, e.g. that the bars are synthetic.",
    )
    metrics: Annotated[dict[str, Any], Stored(AgentMetrics)] | None = Field(
        default=None, description="Evaluation metrics of the serving version."
    )
    versions: list[AgentVersionPublic] = Field(default_factory=list)
    track_record: TrackRecord = Field(default_factory=TrackRecord)
    created_at: datetime
    updated_at: datetime


class AgentPage(Output):
    items: list[AgentPublic]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


SortOrder = Literal["asc", "desc"]

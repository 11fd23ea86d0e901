"""The one settings object.

Everything configurable lives here and is read from environment variables (or an
optional `.env`). With nothing configured the platform runs in *embedded mode*:
SQLite and the secret key under `./var/`, in-memory rate limits and caches, the
offline `synthetic` market data. `DATABASE_URL` and `REDIS_URL` switch to
PostgreSQL and Redis; `ENVIRONMENT=production` additionally refuses to start
without a strong `SECRET_KEY`.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, computed_field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.core.vocabulary import TRAINED_ARCHITECTURES

# 256 bits from `secrets` is what the OWASP JWT cheat sheet asks of an HS256 key.
MIN_SECRET_KEY_LENGTH = 32
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


class RatePolicy:
    """`"<requests>/<seconds>"`, parsed once; e.g. `"60/60"` is sixty a minute."""

    def __init__(self, name: str, spec: str) -> None:
        match = _RATE.match(spec)
        if not match or int(match.group(1)) < 1 or int(match.group(2)) < 1:
            raise ValueError(f"rate limit {name!r} must look like '<requests>/<seconds>'")
        self.name = name
        self.limit = int(match.group(1))
        self.window_s = int(match.group(2))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    environment: Literal["development", "production", "test"] = "development"
    project_name: str = "AI Trading Platform"
    api_prefix: str = "/api/v1"

    var_dir: Path = Path("var")
    database_url: str | None = None
    redis_url: str | None = None
    # Keys of several deployments (or test runs) sharing one Redis never collide.
    redis_namespace: str = "atp"
    # How long one Redis call may wait for its connection or its answer.
    redis_timeout_s: float = Field(default=2.0, gt=0, le=60)
    # After a Redis failure the in-process fallbacks serve for this long before Redis
    # is tried again: a hung Redis would otherwise cost every call its timeout.
    redis_retry_interval_s: float = Field(default=5.0, gt=0)

    secret_key: SecretStr | None = None
    access_token_ttl_s: int = Field(default=15 * 60, ge=60, le=24 * 3600)
    refresh_token_ttl_s: int = Field(default=14 * 24 * 3600, ge=3600)

    # Rate limits per route class, "<requests>/<seconds>".
    rate_limit_default: str = "600/60"
    rate_limit_predict: str = "120/60"
    rate_limit_agent_create: str = "20/3600"
    rate_limit_login: str = "10/60"
    rate_limits_enabled: bool = True
    # Only these proxies may set X-Forwarded-For; anyone else could spoof an address.
    trusted_proxies: list[str] = Field(default_factory=list)
    # Per-account failed-login back-off (docs/SECURITY.md): after this many failures
    # in a row each further one doubles a wait from the base, capped, reset on success.
    login_lockout_free_attempts: int = Field(default=5, ge=1, le=100)
    login_lockout_base_s: float = Field(default=1.0, gt=0)
    login_lockout_max_s: float = Field(default=300.0, gt=0, le=3600)
    # Request headers over this many bytes (names and values together) are a 431.
    max_header_bytes: int = Field(default=16_384, ge=1024)
    # Absolute links (Location, status_url) start with this, never with the Host header;
    # unset, they are relative paths.
    public_base_url: str | None = Field(default=None, pattern=r"^https?://[^/?#\s]+(/[^?#\s]*)?$")
    # GET /metrics wants `Authorization: Bearer <METRICS_TOKEN>`; unset, it is a 404.
    metrics_token: SecretStr | None = None

    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    cors_origins: list[str] = Field(default_factory=list)

    data_dir: Path = Path("data")
    # Files under DATA_DIR (docs/MARKET_DATA.md "csv"): the IANA zone of their naive
    # times (unset: the zone of the file's instrument's exchange; a file's `<file>.json`
    # sidecar may declare its own), and whether exports with `Adj Close` (Yahoo) are
    # adjusted for splits and dividends (false: traded prices).
    csv_timezone: str | None = None
    csv_adjust_prices: bool = True
    model_dir: Path | None = None
    # Where trained versions' files are kept for every process (docs/MODELS.md "On
    # disk"): "database" in the `artifact_files` table, MODEL_DIR then only a cache of
    # each process (no shared volume); "filesystem" only under MODEL_DIR; "auto" is
    # "database" on PostgreSQL and "filesystem" on the embedded SQLite file.
    artifact_store: Literal["auto", "filesystem", "database"] = "auto"
    # Scale of the synthetic source's planted momentum (docs/MARKET_DATA.md): 1 is
    # the documented default, 0 a pure random walk with nothing to learn.
    synthetic_signal: float = Field(default=1.0, ge=0.0, le=3.0)

    refinitiv_app_key: str | None = None
    refinitiv_username: str | None = None
    refinitiv_password: SecretStr | None = None
    refinitiv_client_id: str | None = None
    refinitiv_client_secret: SecretStr | None = None
    refinitiv_base_url: str = "https://api.refinitiv.com"
    refinitiv_max_retries: int = Field(default=4, ge=0, le=10)

    bloomberg_host: str | None = None
    bloomberg_port: int = 8194
    bloomberg_app_name: str | None = None
    # Requests one process sends a vendor (Refinitiv, Bloomberg) at once, all jobs
    # and /predict together: the vendor's limits are per account, not per job.
    vendor_max_concurrency: int = Field(default=4, ge=1, le=64)

    news_source: Literal["none", "refinitiv", "file"] = "none"

    # Training (SPEC §5): concurrency caps, job timeouts and the reaper's patience.
    max_active_trainings_per_user: int = Field(default=3, ge=1)
    training_job_timeout_s: int = Field(default=6 * 3600, ge=60)
    training_max_attempts: int = Field(default=2, ge=1, le=5)
    heartbeat_interval_s: float = Field(default=5.0, gt=0)
    stale_job_after_s: float = Field(default=60.0, gt=0)
    reaper_interval_s: float = Field(default=15.0, gt=0)
    # A vendor's 429 / 5xx / timeout puts the job back QUEUED until `next_attempt_at`:
    # base × 2^(n-1), ±20 % jitter, capped, never before the vendor's Retry-After;
    # counted apart from TRAINING_MAX_ATTEMPTS, FAILED after this many such retries.
    transient_retry_base_s: float = Field(default=10.0, gt=0)
    transient_retry_max_s: float = Field(default=900.0, gt=0)
    training_max_transient_retries: int = Field(default=8, ge=0, le=50)
    progress_write_interval_s: float = Field(default=1.0, ge=0)
    # On SIGTERM / SIGINT (a deploy) a worker asks its training to stop at the next
    # epoch boundary, stores a checkpoint and re-queues the job without spending an
    # attempt, waiting at most this long (the embedded runner likewise on the app's
    # shutdown); past it the training is killed as before (0: at once).
    shutdown_grace_s: int = Field(default=60, ge=0, le=3600)
    embedded_runner: bool = True
    # One core per training process leaves the other to the API (SPEC §9): TensorFlow's
    # thread pools; a JAX child is pinned to that many cores (app.ml.training).
    training_threads: int = Field(default=1, ge=1, le=64)
    # ...and runs at this niceness, so when the API and a training run both want a
    # core the API's requests win it (SPEC §9: p99 while training ≤ 1.5 × idle).
    training_nice: int = Field(default=10, ge=0, le=19)
    # The Keras backend of the training child only (the API and backtests serve under
    # TensorFlow): on one core JAX fits the LSTM ≈ 1.6-2.8x and the CNN ≈ 1.4-2.3x
    # faster, the Transformer 1.2-1.4x on one machine and 0.6x on an AVX-512 one
    # (bench/training.py); without jax installed
    # training falls back to TensorFlow with a warning (app.ml.backend).
    keras_training_backend: Literal["tensorflow", "jax"] = "jax"
    # Exceptions to it by architecture, as JSON: {"Transformer": "tensorflow"} where
    # bench/training.py measures TensorFlow the faster for one (it depends on the
    # processor). An `auto` job trains its candidates in one child, under the default.
    keras_training_backend_by_architecture: dict[str, Literal["tensorflow", "jax"]] = Field(
        default_factory=dict
    )
    backtest_cost_bp: float = Field(default=5.0, ge=0, le=500)
    # Skill is judged on up to this many rolling-origin folds, each trained afresh
    # (0: on the single test split only, which is quicker and weaker).
    walk_forward_folds: int = Field(default=5, ge=0, le=20)
    worker_max_jobs: int = Field(default=1, ge=1, le=16)
    sse_poll_interval_s: float = Field(default=0.5, gt=0)
    # Open event streams per user and replica (429 above it).
    sse_max_streams_per_user: int = Field(default=5, ge=1)
    # The `retry:` line of every stream: how long EventSource waits before reconnecting.
    sse_retry_ms: int = Field(default=3000, ge=100, le=600_000)
    # `agent.progress` events (epoch, loss) at most this often per stream.
    sse_progress_interval_s: float = Field(default=1.0, gt=0)
    # Lifetime of a single-use stream token (POST /agents/{id}/events/token, ?token=).
    stream_token_ttl_s: int = Field(default=60, ge=5, le=600)
    # Webhooks: refuse private and loopback targets (SSRF) unless explicitly allowed.
    allow_private_callbacks: bool = False
    webhook_max_attempts: int = Field(default=5, ge=1, le=10)
    webhook_timeout_s: float = Field(default=5.0, gt=0)

    # Inference (SPEC §6): models and recent bars in memory, answers cached until
    # the next bar; a model older than its frequency's expiry is flagged `stale`.
    # Models kept loaded per process: at most this many, and at most this many MiB by
    # each one's estimate (≈ 2.5-8 MiB at the defaults, bench/model_memory.py).
    model_cache_size: int = Field(default=1000, ge=1)
    model_cache_mb: int = Field(default=1024, ge=1)
    inference_threads: int = Field(default=2, ge=1, le=16)
    # Serving versions each API process loads at start-up, in the background, the most
    # called in the last week first (0: none); versions that start serving later are
    # loaded when announced (app/services/model_preload.py).
    model_preload_count: int = Field(default=16, ge=0)
    # "keras_predict" only as bench/predict.py's reference: Keras' model.predict per call.
    inference_engine: Literal["compiled", "keras_predict"] = "compiled"
    prediction_cache: bool = True
    prediction_cache_ttl_s: float = Field(default=3600.0, gt=0)
    # FastAPI's native OpenTelemetry traces and metrics, for an operator who has
    # configured an OpenTelemetry SDK; /metrics (Prometheus) is always on.
    opentelemetry: bool = False
    signal_min_edge: float = Field(default=0.0005, ge=0, lt=1)
    model_expiry_intraday_days: int = Field(default=30, ge=1)
    model_expiry_daily_days: int = Field(default=180, ge=1)
    # Staleness (docs/MODELS.md#staleness-and-retrain-policies): how often the scheduler
    # judges every serving version (0: never), the PSI above which recent features have
    # drifted, and when a live record is significantly below the tested accuracy.
    staleness_interval_s: float = Field(default=300.0, ge=0)
    drift_psi_threshold: float = Field(default=0.25, gt=0)
    live_record_min_calls: int = Field(default=20, ge=1)
    live_record_p_value: float = Field(default=0.01, gt=0, lt=1)

    # Outcomes (SPEC §6 History): how often the scheduler fills realised prices (the
    # API's loop in embedded mode, the workers' scheduler with Redis; 0 turns it off), and
    # how long after its target a call may wait for a bar before it is closed unresolved.
    outcomes_interval_s: float = Field(default=60.0, ge=0)
    outcome_max_wait_s: float = Field(default=5 * 24 * 3600.0, gt=0)

    # Embedded (SQLite): how often each API process checkpoints the WAL in the
    # background, so that no request's commit pays for it (app/db.py, WalCheckpointer).
    sqlite_checkpoint_interval_s: float = Field(default=1.0, gt=0, le=3600)
    # How long an API process may keep a user or agent row between requests while no
    # write to users, token revocations or agents was committed (app/services/
    # row_cache.py); 0 reads them on every request.
    row_cache_ttl_s: float = Field(default=30.0, ge=0, le=3600)

    db_pool_size: int = Field(default=10, ge=1)
    db_pool_timeout_s: float = Field(default=5.0, gt=0)
    db_connect_timeout_s: float = Field(default=5.0, gt=0)
    migration_lock_timeout_s: float = Field(default=120.0, gt=0)

    def training_backend(self, architecture: str) -> str:
        """The Keras backend a training job of ``architecture`` runs under."""
        by_architecture = self.keras_training_backend_by_architecture
        return by_architecture.get(architecture.upper(), self.keras_training_backend)

    def model_expiry_days(self, frequency: str) -> int:
        intraday = frequency not in ("1d", "1wk")
        return self.model_expiry_intraday_days if intraday else self.model_expiry_daily_days

    @field_validator(
        "rate_limit_default", "rate_limit_predict", "rate_limit_agent_create", "rate_limit_login"
    )
    @classmethod
    def _rate_parses(cls, value: str) -> str:
        RatePolicy("check", value)
        return value

    @field_validator("keras_training_backend_by_architecture")
    @classmethod
    def _architectures_exist(cls, value: dict[str, str]) -> dict[str, str]:
        known = {a.upper() for a in TRAINED_ARCHITECTURES}
        unknown = sorted(name for name in value if name.upper() not in known)
        if unknown:
            raise ValueError(
                f"KERAS_TRAINING_BACKEND_BY_ARCHITECTURE names {', '.join(unknown)}: "
                f"the architectures are {', '.join(TRAINED_ARCHITECTURES)}"
            )
        return {name.upper(): backend for name, backend in value.items()}

    @field_validator("csv_timezone")
    @classmethod
    def _zone_exists(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"CSV_TIMEZONE {value!r} is not an IANA time zone") from exc
        return value

    @model_validator(mode="after")
    def _production_needs_a_strong_key(self) -> Settings:
        if self.environment != "production":
            return self
        key = self.secret_key.get_secret_value() if self.secret_key else ""
        if len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < 10:
            raise ValueError(
                "SECRET_KEY must be set to a random value of at least "
                f"{MIN_SECRET_KEY_LENGTH} characters in production "
                "(python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        if not self.database_url:
            raise ValueError("DATABASE_URL must be set in production")
        return self

    @computed_field  # type: ignore[prop-decorator]
    @property
    def sqlalchemy_database_url(self) -> str:
        """The async driver URL: asyncpg for PostgreSQL, aiosqlite for the embedded file."""
        if not self.database_url:
            return f"sqlite+aiosqlite:///{(self.var_dir / 'platform.db').as_posix()}"
        url = self.database_url
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+asyncpg://" + url[len(prefix) :]
        if url.startswith("sqlite:///"):
            return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
        return url

    @property
    def is_sqlite(self) -> bool:
        return self.sqlalchemy_database_url.startswith("sqlite")

    @property
    def models_path(self) -> Path:
        return self.model_dir or self.var_dir / "models"

    @property
    def artifacts_in_database(self) -> bool:
        if self.artifact_store == "auto":
            return not self.is_sqlite
        return self.artifact_store == "database"

    def rate_policy(self, route_class: str) -> RatePolicy:
        return RatePolicy(route_class, getattr(self, f"rate_limit_{route_class}"))

    def jwt_secret(self) -> str:
        """The HS256 key: configured, or generated once and kept under `var/` (0600)."""
        if self.secret_key:
            return self.secret_key.get_secret_value()
        path = self.var_dir / "secret_key"
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # O_EXCL: when two processes start together exactly one writes the key.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
        os.chmod(path, 0o600)
        key = ""
        for _ in range(100):  # the writer may not have finished its write yet
            key = path.read_text().strip()
            if len(key) >= MIN_SECRET_KEY_LENGTH:
                break
            time.sleep(0.01)
        if len(key) < MIN_SECRET_KEY_LENGTH:
            raise RuntimeError(f"{path} holds no usable secret key; delete it to regenerate")
        return key


@lru_cache
def get_settings() -> Settings:
    return Settings()

"""What one app instance holds for its lifetime: built in the lifespan, closed after.

Kept on `app.state.runtime` instead of module globals, so two app instances in
one process (as the replica tests run them) never share a pool or a cache.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

import httpx
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.change_listener import ChangeListener
from app.change_stamp import StampSource, of_database
from app.config import Settings
from app.db import WalCheckpointer, make_engine, make_sessionmaker
from app.metrics import Metrics
from app.services.artifact_store import ArtifactStore
from app.services.bars_cache import BarsCache
from app.services.job_queue import ArqJobQueue, EmbeddedJobQueue, JobQueue
from app.services.login_throttle import BackOff, LoginThrottle
from app.services.market_data.registry import MarketData
from app.services.model_preload import ModelPreloader
from app.services.model_store import ModelStore
from app.services.notifications import Notifier, StreamSlots
from app.services.prediction_cache import PredictionCache
from app.services.predictions.service import PredictionService
from app.services.ratelimit import RateLimiter
from app.services.redis_breaker import RedisBreaker
from app.services.revocation import RevocationStore
from app.services.row_cache import RowCache

logger = logging.getLogger(__name__)

# How often the row-change listener pings its connection, and retries a lost one.
LISTENER_CHECK_S = 5.0


class Stoppable(Protocol):
    async def stop(self) -> None: ...


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    redis: Redis | None
    revocations: RevocationStore
    limiter: RateLimiter
    metrics: Metrics
    http: httpx.AsyncClient
    queue: JobQueue
    notifier: Notifier
    predictions: PredictionService
    login_throttle: LoginThrottle
    streams: StreamSlots
    rows: RowCache
    redis_breaker: RedisBreaker = field(default_factory=RedisBreaker)
    background: list[Stoppable] = field(default_factory=list)
    preloader: ModelPreloader | None = None  # set by start_background

    @classmethod
    def build(cls, settings: Settings, metrics: Metrics) -> Runtime:
        engine = make_engine(settings)
        sessionmaker = make_sessionmaker(engine)
        redis = (
            Redis.from_url(
                settings.redis_url,
                socket_timeout=settings.redis_timeout_s,
                socket_connect_timeout=settings.redis_timeout_s,
                health_check_interval=30,
            )
            if settings.redis_url
            else None
        )
        settings.jwt_secret()  # fail at start, not on the first login, if the key is unusable
        http = httpx.AsyncClient(timeout=settings.webhook_timeout_s, follow_redirects=False)
        # One breaker for every use of Redis: once a call has waited out its timeout,
        # the others fall back at once instead of each waiting too.
        breaker = RedisBreaker(settings.redis_retry_interval_s)
        changes: StampSource | None = of_database(settings.sqlalchemy_database_url)
        if engine.dialect.name == "postgresql":
            changes = ChangeListener(engine, settings.db_connect_timeout_s, LISTENER_CHECK_S)
        rows = RowCache(changes, settings.row_cache_ttl_s)
        queue: JobQueue = (
            ArqJobQueue.from_settings(settings, breaker)
            if settings.redis_url
            else EmbeddedJobQueue()
        )
        return cls(
            settings=settings,
            engine=engine,
            sessionmaker=sessionmaker,
            redis=redis,
            revocations=RevocationStore(sessionmaker, redis, settings.redis_namespace, breaker),
            limiter=RateLimiter(redis, settings.redis_namespace, breaker),
            metrics=metrics,
            http=http,
            queue=queue,
            redis_breaker=breaker,
            login_throttle=LoginThrottle(
                redis,
                settings.redis_namespace,
                BackOff(
                    settings.login_lockout_free_attempts,
                    settings.login_lockout_base_s,
                    settings.login_lockout_max_s,
                ),
                breaker,
            ),
            streams=StreamSlots(settings.sse_max_streams_per_user),
            rows=rows,
            notifier=Notifier(
                sessionmaker,
                http,
                allow_private=settings.allow_private_callbacks,
                max_attempts=settings.webhook_max_attempts,
            ),
            predictions=PredictionService(
                settings,
                ModelStore(
                    settings.model_cache_size,
                    settings.inference_threads,
                    max_bytes=settings.model_cache_mb * 1024 * 1024,
                    naive=settings.inference_engine == "keras_predict",
                    artifacts=(
                        ArtifactStore(settings, sessionmaker)
                        if settings.artifacts_in_database
                        else None
                    ),
                ),
                BarsCache(),
                PredictionCache(redis, settings.redis_namespace, breaker=breaker),
                metrics,
                rows,
                http,
                MarketData(settings, http, sessionmaker),
            ),
        )

    async def start_background(self) -> None:
        """The model preloader (start-up's most used versions, then every version
        announced as serving), and the embedded training runner and outcome loop when
        there is no Redis (and so no ARQ worker) to hand them to. Nothing here is
        awaited to completion: the app is ready at once."""
        preloader = ModelPreloader(
            self.predictions.models,
            self.sessionmaker,
            self.redis,
            self.settings.redis_namespace,
            self.settings.model_preload_count,
        )
        preloader.start()
        self.preloader = preloader
        self.background.append(preloader)
        if isinstance(self.rows.source, ChangeListener):
            self.rows.source.start()
            self.background.append(self.rows.source)
        if self.engine.dialect.name == "sqlite":
            checkpointer = WalCheckpointer(self.engine, self.settings.sqlite_checkpoint_interval_s)
            checkpointer.start()
            self.background.append(checkpointer)
        if isinstance(self.queue, EmbeddedJobQueue) and self.settings.embedded_runner:
            from app.tasks.context import JobContext
            from app.tasks.embedded import EmbeddedRunner

            # One vendor session per process: the runner's jobs use the app's.
            context = JobContext.build(
                self.settings, self.queue, market_data=self.predictions.market_data
            )
            runner = EmbeddedRunner(context, self.queue)
            runner.start()
            self.background.append(runner)
        if isinstance(self.queue, EmbeddedJobQueue) and self.settings.outcomes_interval_s > 0:
            from app.tasks.outcomes import OutcomesLoop

            outcomes = OutcomesLoop(self.sessionmaker, self.settings, self.http)
            outcomes.start()
            self.background.append(outcomes)

    async def close(self) -> None:
        for task in self.background:
            await task.stop()
        await self.notifier.drain()
        await self.queue.close()
        await self.predictions.close()
        await self.http.aclose()
        if self.redis is not None:
            await self.redis.aclose()
        await self.engine.dispose()

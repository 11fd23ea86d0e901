"""The app factory and its lifespan.

`create_app(settings)` builds an independent instance (tests build several);
`app` is the one uvicorn serves. TensorFlow is never imported here: the API
must be ready within seconds, and only the model cache needs it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app.config import Settings, get_settings
from app.core import request_id
from app.exception_handlers import install_error_handlers
from app.metrics import Metrics
from app.middleware import (
    BodySizeLimitMiddleware,
    QuietStartupRefusal,
    RequestIdMiddleware,
    SecurityHeadersAndMetricsMiddleware,
    document_request_id,
)
from app.migrate import SchemaNotMigrated, prepare_schema
from app.routers import agents, auth, backtests, dashboard, docs, health, notifications, predict
from app.routers.openapi import document_operations, servers
from app.runtime import Runtime

logger = logging.getLogger("app.main")

DESCRIPTION = """
Create **agents** — LSTM, CNN or Transformer models trained on one equity's
history — and ask them for **predictions**: predicted price, calibrated
confidence, Enter/Exit/Hold, Long/Short, exit time, position size, a
plain-English suggestion and risk metrics.

Authenticate with *Authorize* (your e-mail as username). Every error answers
`{"error": {"code", "message", "details"}}`.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime.build(settings, metrics)
        app.state.runtime = runtime
        try:  # embedded: migrate now; PostgreSQL: refuse a schema behind head
            await prepare_schema(settings, runtime.engine)
        except BaseException as exc:
            if isinstance(exc, SchemaNotMigrated):
                logger.error("%s", exc)  # the one line; QuietStartupRefusal drops the traceback
            await runtime.close()
            raise
        await runtime.start_background()
        try:
            yield
        finally:
            await runtime.close()

    app = FastAPI(
        title=settings.project_name,
        version="0.1.0",
        description=DESCRIPTION,
        license_info={"name": "Apache-2.0", "identifier": "Apache-2.0"},
        servers=servers(settings),
        lifespan=lifespan,
        # Served from the app's own assets (app/routers/docs.py), not a CDN.
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=docs.OAUTH2_REDIRECT_URL,
        # FastAPI's OpenTelemetry bridge asks the global providers on every request
        # (≈ 2 % of a /predict call); /metrics is Prometheus, so it is opt-in.
        telemetry=None
        if settings.opentelemetry
        else {"tracing": False, "metrics": False, "logs": False},
        openapi_tags=[
            {"name": "auth", "description": "Accounts and tokens."},
            {"name": "agents", "description": "Create, follow, retrain and delete agents."},
            {"name": "notifications", "description": "Agent state changes."},
            {
                "name": "predictions",
                "description": "Predictions, the signal engine alone, and the history.",
            },
            {"name": "dashboard", "description": "Your segment's view of your own data."},
            {"name": "health", "description": "Liveness, readiness, metrics."},
        ],
    )
    install_error_handlers(app)
    api = APIRouter(prefix=settings.api_prefix)
    # Routes are matched in order: the hot path (/predict) first.
    api.include_router(predict.router)
    api.include_router(auth.router)
    api.include_router(agents.router)
    api.include_router(backtests.router)
    api.include_router(notifications.router)
    api.include_router(dashboard.router)
    app.include_router(api)
    app.include_router(health.router)
    app.include_router(docs.router)
    app.mount(docs.STATIC_PREFIX, docs.static_files(), name="docs-assets")

    if settings.cors_origins:  # closed unless origins are configured
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=False,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"],
            expose_headers=["X-Request-ID"],
        )
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        max_header_bytes=settings.max_header_bytes,
    )
    app.add_middleware(SecurityHeadersAndMetricsMiddleware, metrics=metrics)
    app.add_middleware(RequestIdMiddleware)  # outermost: every answer carries the id
    app.add_middleware(QuietStartupRefusal, refusals=(SchemaNotMigrated,))
    request_id.install_log_records()
    document_request_id(app)
    document_operations(app)
    return app


request_id.install_log_records()
logging.basicConfig(
    level=logging.INFO,
    format="%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
)
app = create_app()

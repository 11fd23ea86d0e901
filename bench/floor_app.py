"""The floor of SPEC §9's second wave: the least any `/predict` on this stack can cost.

A bare FastAPI app that does per request only what no implementation of the contract
can skip: uvicorn's HTTP handling, FastAPI's routing, the bearer token's HS256 decode
(`app.security.decode_token`, with the deployment's key), the request body parsed into
`PredictRequest` and a fixed, valid one-stock answer validated and serialised through
`PredictResponse`.  No middleware, database, model or market data.  `bench/predict.py`
serves it with the same uvicorn command and process count as the platform and drives
it with the same clients, so ``our figure / floor figure`` is the overhead of
everything the platform adds, measured in the same run.

Served as ``uvicorn bench.floor_app:app`` from the repository root (``SECRET_KEY`` or
``VAR_DIR`` in the environment, as for the platform: tokens the platform issued pass).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordBearer

from app.config import Settings
from app.errors import Unauthorized
from app.schemas.predictions import SEED_RESPONSE_EXAMPLE, PredictRequest, PredictResponse
from app.security import TokenClaims, decode_token, unauthorized

# The platform's scheme, declared again: importing `app.deps` would pull in its runtime.
oauth2_scheme = OAuth2PasswordBearer(
    tokenUrl="/api/v1/auth/login", refreshUrl="/api/v1/auth/token", auto_error=False
)
SECRET = Settings().jwt_secret()

# The seed's answer cut to one stock, as bench/predict.py asks for one; checked once here
# so the body is valid, and returned as a dict so FastAPI validates and serialises it
# through the response model on every call, as it does the platform's answer.
BODY: dict[str, Any] = {
    **SEED_RESPONSE_EXAMPLE,
    "predictions": SEED_RESPONSE_EXAMPLE["predictions"][:1],
}
PredictResponse.model_validate(BODY)


async def token_claims(token: Annotated[str | None, Depends(oauth2_scheme)]) -> TokenClaims:
    """The platform's access-token check without its revocation lookup (a cache read)."""
    if not token:
        raise unauthorized("no bearer token")
    return decode_token(token, secret=SECRET, expected_type="access")


# `telemetry=None` as in app.main: FastAPI's OpenTelemetry bridge is opt-in there too.
app = FastAPI(telemetry=None, docs_url=None, redoc_url=None, openapi_url=None)


@app.exception_handler(Unauthorized)
async def refused(request: Request, exc: Unauthorized) -> JSONResponse:
    """A refused token is a 401 here too, not a 500 with a traceback in the log."""
    return JSONResponse({"error": {"code": "unauthorized"}}, status_code=401)


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/api/v1/predict", response_model=PredictResponse)
async def predict(
    body: PredictRequest, claims: Annotated[TokenClaims, Depends(token_claims)]
) -> dict[str, Any]:
    return BODY

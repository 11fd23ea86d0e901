"""The platform's first experience through the typed client: register, log in, create a
small agent, follow its training to READY, ask it for a prediction, print the eight
fields.

    ./scripts/start                                    # a server, in one terminal
    pip install ./clients/python                       # the client, in another
    python clients/python/examples/quickstart.py

`ATP_BASE_URL` (default http://localhost:8000) names the server; `ATP_EMAIL` and
`ATP_PASSWORD` an account, registered here when it does not exist yet (without
them, a new throw-away account is made). The agent is deliberately tiny (two years
of synthetic daily bars, two epochs of a small LSTM) so it trains in seconds; that
is why the account is a `quant` one: only quants may choose network sizes.

Each step is a function that takes a client, so tests/test_generated_client.py runs
this very file against the app in-process. Every call goes through `unwrap`, the one
place where an answer is split into its success model and `ErrorResponse`.
"""

from __future__ import annotations

import asyncio
import datetime
import os
import secrets
import sys
import time
from typing import Any, TypeVar
from uuid import UUID

from ai_trading_platform_client import AuthenticatedClient, Client
from ai_trading_platform_client.api.agents import create_agent, get_agent
from ai_trading_platform_client.api.auth import login, register
from ai_trading_platform_client.api.predictions import predict
from ai_trading_platform_client.models import (
    AgentAccepted,
    AgentCreate,
    AgentPublic,
    AgentStatus,
    Architecture,
    DataFrequency,
    DataSource,
    ErrorResponse,
    Feature,
    LoginForm,
    ModelPreferences,
    PredictRequest,
    PredictResponse,
    TokenResponse,
    UserCreate,
    UserPublic,
    UserSegment,
)
from ai_trading_platform_client.types import Response

T = TypeVar("T")

DEFAULT_BASE_URL = "http://localhost:8000"
SYMBOL = "AAPL"
FREQUENCY = DataFrequency.DAY_1
HORIZON = "1d"
# Where training ends, one way or the other (the events stream ends there too).
FINISHED = {AgentStatus.READY, AgentStatus.FAILED, AgentStatus.CANCELLED}


class ApiError(Exception):
    """An answer other than the success the call was made for."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"HTTP {status} {code}: {message}")
        self.status = status
        self.code = code


def unwrap(response: Response[T | ErrorResponse]) -> T:
    """The success model of `response`, or ApiError with the platform's error code."""
    parsed = response.parsed
    if isinstance(parsed, ErrorResponse):
        raise ApiError(response.status_code, parsed.error.code, parsed.error.message)
    if parsed is None:  # a status the schema does not declare
        text = response.content.decode(errors="replace")
        raise ApiError(response.status_code, "undeclared_status", text)
    return parsed


async def sign_up(client: Client, email: str, password: str) -> UserPublic | None:
    """Register a quant account; None when the e-mail is already registered."""
    body = UserCreate(
        email=email,
        password=password,
        user_segment=UserSegment.QUANT,
        full_name="Quickstart",
        account_equity=35_000.0,
    )
    try:
        return unwrap(await register.asyncio_detailed(client=client, body=body))
    except ApiError as exc:
        if exc.code == "email_taken":  # most likely by this script's last run
            return None
        raise


async def log_in(client: Client, email: str, password: str) -> TokenResponse:
    """An access token (15 minutes) and a refresh token, from the OAuth2 password form."""
    form = LoginForm(username=email, password=password)
    return unwrap(await login.asyncio_detailed(client=client, body=form))


def agent_request() -> AgentCreate:
    """A tiny agent: two years of synthetic daily bars (the same bars on every run),
    two epochs of a small, seeded network."""
    return AgentCreate(
        name=f"{SYMBOL} quickstart",
        symbol=SYMBOL,
        data_source=DataSource.SYNTHETIC,  # generated prices, labelled as such
        start_date=datetime.date(2022, 1, 1),
        end_date=datetime.date(2023, 12, 31),
        data_frequency=FREQUENCY,
        prediction_horizon=HORIZON,
        features=[Feature.SMA, Feature.VOLATILITY],  # short warm-ups: two years are enough
        model_preferences=ModelPreferences(
            architecture=Architecture.LSTM,
            epochs=2,
            lookback=10,
            units=8,
            layers=1,
            batch_size=64,
            seed=0,
        ),
    )


async def start_training(client: AuthenticatedClient) -> AgentAccepted:
    """Create the agent (202: queued for training)."""
    body = agent_request()
    return unwrap(await create_agent.asyncio_detailed(client=client, body=body))


async def follow(
    client: AuthenticatedClient,
    agent_id: UUID,
    *,
    poll_s: float = 2.0,
    timeout_s: float = 600.0,
) -> AgentPublic:
    """Poll the agent every `poll_s` seconds until its training has finished."""
    deadline = time.monotonic() + timeout_s
    last: AgentStatus | None = None
    while True:
        agent = unwrap(await get_agent.asyncio_detailed(agent_id, client=client))
        if agent.status != last:
            print(f"  {agent.status}", file=sys.stderr)
            last = agent.status
        if agent.status in FINISHED:
            return agent
        if time.monotonic() > deadline:
            raise TimeoutError(f"agent {agent_id} is still {agent.status} after {timeout_s} s")
        await asyncio.sleep(poll_s)


async def ask(client: AuthenticatedClient) -> PredictResponse:
    """A prediction from the READY agent that matches the symbol, bars and horizon."""
    body = PredictRequest(
        user_segment=UserSegment.QUANT,
        stocks=[SYMBOL],
        data_frequency=FREQUENCY,
        prediction_horizon=HORIZON,
        confidence_level=0.6,
        capital_at_risk=0.02,
    )
    return unwrap(await predict.asyncio_detailed(client=client, body=body))


def eight_fields(answer: PredictResponse) -> dict[str, object]:
    """The answer's headline: what to do, how sure, how much, until when, what at risk."""
    return {
        "predicted_price": answer.predicted_price,
        "confidence": answer.confidence,
        "trade_signal": str(answer.trade_signal),
        "direction": str(answer.direction),
        "suggested_exit_time": answer.suggested_exit_time,
        "position_size": answer.position_size,
        "suggestion_text": answer.suggestion_text,
        "risk_metrics": answer.risk_metrics.to_dict(),
    }


async def quickstart(
    base_url: str,
    email: str,
    password: str,
    *,
    httpx_args: dict[str, Any] | None = None,
    poll_s: float = 2.0,
) -> PredictResponse:
    """The whole flow; `httpx_args` go to httpx (a test passes an in-process transport)."""
    args = httpx_args or {}
    async with Client(base_url=base_url, httpx_args=args) as anonymous:
        await sign_up(anonymous, email, password)
        tokens = await log_in(anonymous, email, password)
    async with AuthenticatedClient(
        base_url=base_url, token=tokens.access_token, httpx_args=args
    ) as client:
        accepted = await start_training(client)
        print(f"agent {accepted.agent_id}: {accepted.status}", file=sys.stderr)
        agent = await follow(client, accepted.agent_id, poll_s=poll_s)
        if agent.status != AgentStatus.READY:
            raise RuntimeError(f"training ended {agent.status}: {agent.failure_reason}")
        return await ask(client)


def main() -> None:
    base_url = os.environ.get("ATP_BASE_URL", DEFAULT_BASE_URL)
    email = os.environ.get("ATP_EMAIL") or f"quickstart-{secrets.token_hex(4)}@example.com"
    password = os.environ.get("ATP_PASSWORD") or secrets.token_urlsafe(16)
    try:
        answer = asyncio.run(quickstart(base_url, email, password))
    except ApiError as exc:
        sys.exit(str(exc))
    for name, value in eight_fields(answer).items():
        print(f"{name:>20}: {value}")


if __name__ == "__main__":
    main()

"""The demo (SPEC §1): against a running server, register, log in, create the agents
the seed's example request needs, follow their training to READY, predict with
that request verbatim and print the JSON.

    ./scripts/start                            # in one terminal
    .venv/bin/python scripts/demo.py           # in another (--url for another server)

Only the standard library and httpx, so it runs from the project's virtualenv.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import time
from typing import Any

import httpx

from app.schemas.agents import SEED_AGENT_EXAMPLE
from app.schemas.predictions import SEED_EXAMPLE

# SPEC §6's example request, verbatim (the one the API documents and tests).
PREDICT_REQUEST: dict[str, Any] = SEED_EXAMPLE


def agent_request(symbol: str) -> dict[str, Any]:
    """SPEC §5's example creation body, for `symbol`."""
    return {**SEED_AGENT_EXAMPLE, "name": f"{symbol} intraday", "symbol": symbol}


def check(response: httpx.Response, *expected: int) -> dict[str, Any]:
    if response.status_code not in expected:
        sys.exit(
            f"{response.request.method} {response.request.url.path} answered "
            f"{response.status_code}: {response.text}"
        )
    body: dict[str, Any] = response.json()
    return body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for READY")
    args = parser.parse_args()
    api = httpx.Client(base_url=args.url.rstrip("/") + "/api/v1", timeout=30)

    email = f"demo-{secrets.token_hex(4)}@example.com"
    password = secrets.token_urlsafe(16)
    check(
        api.post(
            "/auth/register",
            json={
                "email": email,
                "password": password,
                "user_segment": "short_term_trader",
                "full_name": "Demo Trader",
                "account_equity": 35_000,
            },
        ),
        201,
    )
    tokens = check(api.post("/auth/login", data={"username": email, "password": password}), 200)
    api.headers["Authorization"] = f"Bearer {tokens['access_token']}"
    print(f"registered and logged in as {email}")

    agents = {}
    for symbol in PREDICT_REQUEST["stocks"]:
        created = check(
            api.post(
                "/agents",
                json=agent_request(symbol),
                headers={"Idempotency-Key": f"demo-{email}-{symbol}"},
            ),
            202,
        )
        agents[symbol] = created["agent_id"]
        print(f"created agent {created['agent_id']} for {symbol}: {created['status']}")

    deadline = time.monotonic() + args.timeout
    last: dict[str, str] = {}
    pending = set(agents)
    while pending:
        if time.monotonic() > deadline:
            sys.exit(f"agents still training after {args.timeout:.0f} s: {sorted(pending)}")
        for symbol in sorted(pending):
            agent = check(api.get(f"/agents/{agents[symbol]}"), 200)
            progress = agent.get("progress") or {}
            line = agent["status"] + (
                f" epoch {progress['epoch']}/{progress['epochs']}"
                if agent["status"] == "TRAINING" and progress.get("epoch")
                else ""
            )
            if last.get(symbol) != line:
                print(f"  {symbol}: {line}", flush=True)
                last[symbol] = line
            if agent["status"] == "READY":
                pending.discard(symbol)
                metrics = agent.get("metrics") or {}
                print(
                    f"  {symbol}: test RMSE {metrics.get('rmse'):.5f} vs naive "
                    f"{metrics.get('naive_rmse'):.5f}; directional accuracy "
                    f"{metrics.get('directional_accuracy'):.3f}"
                )
            elif agent["status"] in ("FAILED", "CANCELLED"):
                sys.exit(f"{symbol} agent {agent['status']}: {agent.get('failure_reason')}")
        time.sleep(1.0)

    prediction = check(api.post("/predict", json=PREDICT_REQUEST), 200)
    print(json.dumps(prediction, indent=2))


if __name__ == "__main__":
    main()

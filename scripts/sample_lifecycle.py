"""An agent's whole lifecycle on real prices, from a fresh embedded platform.

Trains an `auto` agent on the bundled `sample` source (Apple's daily bars, public
domain, to 2013-03-01) through the API, then prints what a quant would look at:
the architecture leaderboard, the walk-forward folds, the comparison with the naive,
ridge and LightGBM baselines, and a backtest over the year after its data.

Run: ``.venv/bin/python scripts/sample_lifecycle.py`` (a few minutes on 2 cores;
``--epochs`` and ``--end`` change the run). Nothing is kept: the platform lives in a
temporary directory.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from httpx import ASGITransport, AsyncClient

from app.config import Settings
from app.main import create_app

PASSWORD = secrets.token_urlsafe(16)  # the demo user lives as long as the run


async def _wait(client: AsyncClient, url: str, done: set[str], field: str) -> dict[str, Any]:
    while True:
        body: dict[str, Any] = (await client.get(url)).json()
        if body.get(field) in done:
            return body
        await asyncio.sleep(1.0)


def _f(value: Any, digits: int = 4) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as var_dir:
        settings = Settings(
            var_dir=Path(var_dir), secret_key=secrets.token_urlsafe(48), walk_forward_folds=5
        )
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = ASGITransport(app=app)
            async with AsyncClient(transport=transport, base_url="http://demo") as client:
                await client.post(
                    "/api/v1/auth/register",
                    json={
                        "email": "quant@example.com",
                        "password": PASSWORD,
                        "user_segment": "quant",
                        "full_name": "Demo Quant",
                    },
                )
                tokens = (
                    await client.post(
                        "/api/v1/auth/login",
                        data={"username": "quant@example.com", "password": PASSWORD},
                    )
                ).json()
                client.headers["Authorization"] = f"Bearer {tokens['access_token']}"
                await _run(client, args)


async def _run(client: AsyncClient, args: argparse.Namespace) -> None:
    started = time.monotonic()
    created = await client.post(
        "/api/v1/agents",
        json={
            "name": "AAPL daily, auto",
            "symbol": "AAPL",
            "data_source": "sample",
            "start_date": args.start,
            "end_date": args.end,
            "data_frequency": "1d",
            "prediction_horizon": "1d",
            "model_preferences": {"architecture": "auto", "epochs": args.epochs, "seed": 7},
        },
    )
    assert created.status_code == 202, created.text
    agent = await _wait(client, created.json()["status_url"], {"READY", "FAILED"}, "status")
    assert agent["status"] == "READY", agent.get("failure_reason")
    print(f"READY in {time.monotonic() - started:.0f} s: {agent['architecture']}")
    version = agent["versions"][0]
    m = version["metrics"]

    print("\n## Leaderboard (validation loss; test figures of the one served)\n")
    print("| architecture | validation loss | test RMSE / naive | test direction | served |")
    print("|---|---|---|---|---|")
    for row in version.get("leaderboard") or []:
        chosen = "yes" if row.get("chosen") else ""
        print(
            f"| {row['architecture']} | {_f(row.get('best_val_loss'))} | "
            f"{_f(row.get('test_rmse_ratio_naive'), 3)} | "
            f"{_f(row.get('test_directional_accuracy'), 3)} | {chosen} |"
        )

    print("\n## Test split against the baselines\n")
    print("| model | RMSE | ratio to the model |")
    print("|---|---|---|")
    rmse = m["rmse"]
    for name, key in (
        ("model", "rmse"),
        ("naive (no change)", "naive_rmse"),
        ("ridge", "linear_rmse"),
        ("LightGBM", "gbm_rmse"),
    ):
        value = m.get(key)
        ratio = None if value in (None, 0) else rmse / value
        print(f"| {name} | {_f(value, 5)} | {_f(ratio, 3)} |")
    print(
        f"\ndirectional accuracy {_f(m.get('directional_accuracy'), 3)} "
        f"(95 % CI {_f(m.get('directional_accuracy_ci_low'), 3)}–"
        f"{_f(m.get('directional_accuracy_ci_high'), 3)}), always-up "
        f"{_f(m.get('always_up_rate'), 3)}; skill {m.get('skill')}; beats naive "
        f"{m.get('beats_naive_baseline')}, ridge {m.get('beats_linear_baseline')}, "
        f"LightGBM {m.get('beats_gbm_baseline')}"
    )

    folds = (version.get("walk_forward") or {}).get("folds") or []
    print(f"\n## Walk-forward ({len(folds)} folds)\n")
    print("| fold | test samples | RMSE / naive | / ridge | / LightGBM | direction (95 % CI) |")
    print("|---|---|---|---|---|---|")
    pooled = (version.get("walk_forward") or {}).get("pooled") or {}
    for fold in [*folds, {**pooled, "fold": "pooled"}]:
        print(
            f"| {fold.get('fold')} | {fold.get('test_start', '')}–{fold.get('test_stop', '')} | "
            f"{_f(fold.get('rmse_ratio_naive'), 3)} | {_f(fold.get('rmse_ratio_linear'), 3)} | "
            f"{_f(fold.get('rmse_ratio_gbm'), 3)} | {_f(fold.get('directional_accuracy'), 3)} "
            f"({_f(fold.get('directional_accuracy_ci_low'), 3)}–"
            f"{_f(fold.get('directional_accuracy_ci_high'), 3)}) |"
        )
    wf = version.get("walk_forward") or {}
    print(
        f"\nwalk-forward verdict: skill {wf.get('skill')}, beats naive "
        f"{wf.get('beats_naive_baseline')}, ridge {wf.get('beats_linear_baseline')}, "
        f"LightGBM {wf.get('beats_gbm_baseline')}; folds beating naive "
        f"{wf.get('folds_beating_naive')} of {wf.get('n_folds')}"
    )

    # The agent's own plan first (its confidence level), then a looser one, so that
    # what the calls would have done is seen even when the plan holds them all.
    for level in (None, args.confidence_level):
        await _backtest(client, agent["id"], {} if level is None else {"confidence_level": level})


async def _backtest(client: AsyncClient, agent_id: str, plan: dict[str, Any]) -> None:
    asked = await client.post(f"/api/v1/agents/{agent_id}/backtest", json=plan)
    assert asked.status_code == 202, asked.text
    done = await _wait(client, asked.headers["Location"], {"SUCCEEDED", "FAILED"}, "status")
    assert done["status"] == "SUCCEEDED", done["error"]
    b, req = done["metrics"], done["request"]
    print(
        f"\n## Backtest {done['first_bar'][:10]} … {done['last_bar'][:10]} (asked "
        f"{req['start_date']} … {req['end_date']}; confidence level "
        f"{req['confidence_level']}, {req['cost_bp']} bp cost + {req['slippage_bp']} bp "
        "slippage per side)\n"
    )
    print("| metric | value |")
    print("|---|---|")
    for key in (
        "bars",
        "n_trades",
        "total_return",
        "buy_and_hold_return",
        "excess_return",
        "sharpe",
        "sortino",
        "max_drawdown",
        "hit_rate",
        "profit_factor",
        "exposure",
        "stops_hit",
        "total_costs",
    ):
        value = b.get(key)
        print(f"| {key} | {value if isinstance(value, int) else _f(value, 4)} |")
    print(f"\nsignals while flat: {done['signals']}")
    for warning in done["warnings"]:
        print(f"warning: {warning}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", default="2004-01-02")
    parser.add_argument("--end", default="2011-12-30")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--confidence-level", type=float, default=0.55)
    asyncio.run(main(parser.parse_args()))

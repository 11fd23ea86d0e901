"""End to end: what validation found in a CSV file reaches the agent's `data_warnings`.

One tiny agent on the embedded runner (the plumbing is the same with a worker): a file
with an unadjusted 2-for-1 split and a two-week hole trains READY and says both."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.config import Settings
from tests.utils.jobs import tiny_agent, wait_for
from tests.utils.users import bearer, user_with_tokens

SPLIT_DAY = date(2021, 7, 1)  # a Thursday: prices halve from here on
HOLE = (date(2020, 11, 2), date(2020, 11, 13))  # two weeks of bars missing


@pytest.fixture
def backend() -> str:
    return "embedded"


def write_split_file(path: Path) -> None:
    """About 700 business days of unadjusted prices from 2020-01-01, as a vendor would
    export them without adjustment: every price halves and the volume doubles on
    SPLIT_DAY; the bars of HOLE are missing."""
    rng = np.random.default_rng(11)
    lines = ["Date,Open,High,Low,Close,Volume"]
    close, day = 100.0, date(2020, 1, 1)
    while day <= date(2022, 9, 30):
        if day.weekday() < 5 and not HOLE[0] <= day <= HOLE[1]:
            factor = 0.5 if day >= SPLIT_DAY else 1.0
            opened = close * (1 + rng.normal(0, 0.002))
            close = opened * (1 + rng.normal(0, 0.01))
            o, c = opened * factor, close * factor
            high, low = max(o, c) * 1.003, min(o, c) * 0.997
            lines.append(f"{day},{o:.4f},{high:.4f},{low:.4f},{c:.4f},{1000 / factor:.0f}")
        day += timedelta(days=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


async def test_an_agent_on_a_file_shows_the_split_and_the_gaps(
    app_factory: Callable[[Settings], Any], make_worker_settings: Callable[..., Settings]
) -> None:
    settings = make_worker_settings(heartbeat_interval_s=0.5, progress_write_interval_s=0.2)
    write_split_file(Path(settings.data_dir) / "1d" / "SPLT.csv")
    client = await app_factory(settings)
    _, tokens = await user_with_tokens(client, user_segment="quant")
    body = tiny_agent(
        symbol="SPLT",
        data_source="csv",
        start_date="2020-01-01",
        end_date="2022-09-30",
        features=["returns"],
        model_preferences={
            "architecture": "LSTM",
            "epochs": 1,
            "lookback": 5,
            "units": 4,
            "layers": 1,
            "batch_size": 64,
            "seed": 0,
        },
    )
    created = await client.post("/api/v1/agents", json=body, headers=bearer(tokens))
    assert created.status_code == 202, created.text
    agent_id = created.json()["agent_id"]
    await wait_for(client, tokens, agent_id, {"READY"})

    agent = (await client.get(f"/api/v1/agents/{agent_id}", headers=bearer(tokens))).json()
    warnings = agent["data_warnings"]
    (split,) = [w for w in warnings if "split-sized jump" in w]
    assert split.startswith("1 split-sized jump: ") and f"({SPLIT_DAY}, open " in split
    assert "like a 2-for-1 split" in split and "use split-adjusted data" in split
    (gaps,) = [w for w in warnings if "in the history" in w]
    assert gaps.startswith("1 gap in the history (")
    assert "the largest, 2020-10-30 to 2020-11-16, misses 10 bars." in gaps
    assert not any(w.startswith("Synthetic data") for w in warnings)  # real prices
    assert agent["metrics"]["data_warnings"] == warnings  # the serving version's

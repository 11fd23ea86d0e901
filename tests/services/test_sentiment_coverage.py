"""Sentiment coverage in training and in /predict (issue 14).

The score and its coverage flag come from one function (`add_sentiment`) on both
sides, so a bar's pair is the same whether the training job or /predict computed it;
a version trained before the flag existed reads the score alone and still serves.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.config import Settings
from app.models import AgentVersion
from app.services.bars_cache import BarsCache
from app.services.features import DEFAULT_FEATURES
from app.services.market_data.frequency import bar_close
from app.services.market_data.synthetic import SyntheticProvider, synthetic_bars
from app.services.news.file import FileNewsSource
from app.services.predictions.service import bars_needed, serving_features
from app.services.sentiment import (
    COVERAGE_COLUMN,
    SENTIMENT_COLUMN,
    SENTIMENT_COLUMNS,
    add_sentiment,
)
from app.tasks.supervisor import training_frame
from tests.utils.client import runtime_of
from tests.utils.serving import Artifact, ready_agent
from tests.utils.users import bearer, user_with_tokens

SYMBOL = "PARITY"
FEATURES = list(DEFAULT_FEATURES)
HEADLINES = (
    "{symbol} shares surge after record quarter",
    "{symbol} shares plunge on weak guidance",
    "{symbol} to hold annual meeting",
)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def write_news(data_dir: Path, symbol: str, since: datetime, until: datetime) -> None:
    """A story every 7 hours from `since`: the file covers nothing before it."""
    lines, moment, k = [], since, 0
    while moment <= until:
        text = HEADLINES[k % len(HEADLINES)].format(symbol=symbol)
        lines.append(json.dumps({"published_at": moment.isoformat(), "headline": text}))
        moment, k = moment + timedelta(hours=7), k + 1
    (data_dir / "news").mkdir(parents=True, exist_ok=True)
    (data_dir / "news" / f"{symbol}.jsonl").write_text("\n".join(lines) + "\n")


async def test_served_sentiment_pair_equals_the_training_pair(tmp_path: Path) -> None:
    """Hourly bars from June; news only from 2024-01-15 12:00. At /predict moments on
    both sides of that start (so the rows read include bars without and with news),
    every row's score and flag equal the training row of the same bar."""
    frequency, lookback = "1h", 24
    news_since = utc(2024, 1, 15, 12)
    write_news(tmp_path, SYMBOL, news_since, utc(2024, 3, 1))
    source = FileNewsSource(tmp_path)
    bars = synthetic_bars(SYMBOL, frequency, utc(2023, 6, 1), utc(2024, 3, 1))
    joined, notes = await add_sentiment(bars, SYMBOL, source, coverage_of="training bars")
    trained, columns = training_frame(joined, FEATURES)
    assert columns[-2:] == list(SENTIMENT_COLUMNS)
    assert "covers 2024-01-15 12:00 UTC onwards" in notes[0]
    flags = trained[COVERAGE_COLUMN]
    assert 0 < flags.sum() < trained.height  # the frame holds both kinds of rows

    needed = bars_needed(FEATURES, frequency, lookback)
    cuts = [utc(2024, 1, 16, 15, 10), utc(2024, 1, 17, 16, 45), utc(2024, 2, 20, 19, 5)]
    seen = set()
    for as_of in cuts:
        window = await BarsCache().recent(
            SyntheticProvider(), "synthetic", SYMBOL, frequency, needed, as_of
        )
        served, _ = await add_sentiment(window, SYMBOL, source, tail=lookback)
        rows = serving_features(served, FEATURES).tail(lookback)
        assert bar_close(frequency, rows["timestamp"][-1]) <= as_of
        same = rows.select("timestamp").join(trained, on="timestamp", how="left")
        assert same.height == lookback
        for column in SENTIMENT_COLUMNS:
            np.testing.assert_allclose(
                rows[column].to_numpy(), same[column].to_numpy(), rtol=0, atol=1e-12
            )
        seen.update(rows[COVERAGE_COLUMN].to_list())
    assert seen == {0.0, 1.0}  # the cuts did read bars without and with news


@pytest.mark.parametrize("backend", ["embedded"], indirect=True)
async def test_a_version_without_the_flag_still_serves_and_the_call_warns(
    app_factory: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    daily_artifact: Artifact,
) -> None:
    """A version from before the flag: its features end in `sentiment` alone. (The
    shared tiny model stands in for one: its last input is relabelled `sentiment`,
    which keeps the input shape; what is tested is the serving path, not the model.)"""
    settings = make_settings(news_source="file")
    write_news(Path(settings.data_dir), "AAPL", utc(2024, 6, 20, 12), utc(2024, 7, 1))
    client = await app_factory(settings)
    user, tokens = await user_with_tokens(client)
    _, version_id = await ready_agent(client, user["id"], daily_artifact)
    async with runtime_of(client).sessionmaker() as session:
        version = await session.get(AgentVersion, uuid.UUID(version_id))
        assert version is not None
        names = [*version.preprocessing["feature_names"][:-1], SENTIMENT_COLUMN]
        version.preprocessing = {**version.preprocessing, "feature_names": names}
        session.add(version)
        await session.commit()
    body = {
        "user_segment": "short_term_trader",
        "stocks": ["AAPL"],
        "data_frequency": "1d",
        "prediction_horizon": "1d",
        "as_of": "2024-06-28T00:00:00Z",
    }
    response = await client.post("/api/v1/predict", json=body, headers=bearer(tokens))
    assert response.status_code == 200, response.text
    warnings = response.json()["warnings"]
    # The 10 bars read end 2024-06-27; those from 06-24 on see a full day of news.
    assert (
        "News about AAPL (file) covers 2024-06-20 12:00 UTC onwards: 40 % of the bars this "
        "call reads; earlier bars are marked as without news."
    ) in warnings

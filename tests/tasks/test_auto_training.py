"""`auto` in the training child's own function, in-process: a diverging candidate is
skipped, all diverging fails, progress names the candidate, a pause still stops."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from app.ml import training
from app.services.features import DEFAULT_FEATURES
from app.services.market_data.synthetic import SyntheticProvider
from app.tasks import supervisor
from app.tasks.supervisor import TrainingSpec, train_and_evaluate


class _Pipe:
    def __init__(self) -> None:
        self.sent: list[tuple[str, Any]] = []

    def send(self, message: tuple[str, Any]) -> None:
        self.sent.append(message)


@pytest.fixture(scope="module")
def bars_ipc() -> bytes:
    bars = asyncio.run(
        SyntheticProvider().fetch_bars(
            "AAPL", "1d", datetime(2018, 7, 23, tzinfo=UTC), datetime(2023, 12, 31, tzinfo=UTC)
        )
    )
    return bars.write_ipc(None).getvalue()


def _spec(out: Path, epochs: int = 1) -> TrainingSpec:
    return TrainingSpec(
        agent_id="a",
        version_id="v",
        symbol="AAPL",
        frequency="1d",
        horizon="1d",
        horizon_bars=1,
        features=list(DEFAULT_FEATURES),
        architecture="auto",
        epochs=epochs,
        hyperparameters={"lookback": 10, "units": 8, "layers": 1, "batch_size": 128},
        risk_params={},
        out_dir=str(out),
        seed=0,
        walk_forward_folds=0,
    )


def _diverging(*names: str) -> Any:
    real = training.train

    def train(dataset: Any, architecture: str, *args: Any, **kwargs: Any) -> Any:
        if architecture in names:
            raise training.TrainingDiverged(f"{architecture} blew up")
        return real(dataset, architecture, *args, **kwargs)

    return train


def test_a_diverging_candidate_is_listed_and_skipped(
    bars_ipc: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(training, "train", _diverging("CNN"))
    pipe = _Pipe()
    # A checkpoint is ignored by `auto`: the candidates restart from the first.
    result = train_and_evaluate(_spec(tmp_path), bars_ipc, pipe, b"not a checkpoint")  # type: ignore[arg-type]
    board = result["leaderboard"]
    assert [e["architecture"] for e in board] == ["LSTM", "CNN", "Transformer"]
    assert board[1] == {**board[1], "diverged": "CNN blew up", "chosen": False}
    assert result["architecture"] in {"LSTM", "Transformer"}
    (chosen,) = [e for e in board if e["chosen"]]
    assert chosen["architecture"] == result["architecture"]
    progress = [payload for kind, payload in pipe.sent if kind == "progress"]
    assert {p["candidate"] for p in progress} == {"LSTM", "Transformer"}
    assert all(p["candidates"] == 3 for p in progress)
    assert not any(kind == "resumed" for kind, _ in pipe.sent)


def test_all_diverging_fails_at_training(
    bars_ipc: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(training, "train", _diverging("LSTM", "CNN", "TRANSFORMER", "Transformer"))
    with pytest.raises(supervisor._Failure) as failed:
        train_and_evaluate(_spec(tmp_path), bars_ipc, _Pipe())  # type: ignore[arg-type]
    assert failed.value.stage == "TRAINING" and "Transformer blew up" in failed.value.reason


def test_a_pause_stops_an_auto_run_with_a_checkpoint(bars_ipc: bytes, tmp_path: Path) -> None:
    pause = threading.Event()
    pause.set()
    with pytest.raises(supervisor._Interrupted) as stopped:
        train_and_evaluate(_spec(tmp_path, epochs=3), bars_ipc, _Pipe(), None, pause)  # type: ignore[arg-type]
    assert stopped.value.epoch == 1 and stopped.value.checkpoint

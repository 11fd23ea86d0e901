"""The training child process and the loop that supervises it.

Training is CPU-bound and cannot be interrupted from asyncio, so it runs in a "spawn"ed
process (TensorFlow is never forked): the event loop stays free for heartbeats, a cancel
or timeout really stops training, and the child exits if its parent dies, so a SIGKILLed
worker leaves no orphan. The child reports through a pipe (`progress`, `stage`, `result`,
`failed`); the supervisor passes that to a `Reporter`, which alone touches the database.

Shutting down (a deploy's SIGTERM: `stop` is set) the supervisor sends the child
SIGTERM, which the child takes as "stop at the next epoch boundary": it saves a
checkpoint (`app.ml.checkpoint`) and sends it (`interrupted`); `ChildInterrupted`
carries it to the run, which re-queues the job with it. A child started with a
checkpoint resumes from it. SIGKILL, not SIGTERM, is what ends a child for good.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import math
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from typing import Any, Protocol

import numpy as np
import polars as pl

logger = logging.getLogger(__name__)
# Bars per year by frequency, for annualising the backtest's Sharpe and Sortino.


@dataclass(frozen=True)
class TrainingSpec:
    agent_id: str
    version_id: str
    symbol: str
    frequency: str
    horizon: str
    horizon_bars: int
    features: list[str]
    architecture: str
    epochs: int
    hyperparameters: dict[str, Any]
    risk_params: dict[str, Any]
    out_dir: str
    seed: int
    user_segment: str = "short_term_trader"
    cost_bp: float = 5.0
    walk_forward_folds: int = 5
    # The serving version to gate a retrain against (`app.ml.champion.Champion`).
    champion: Any = None
    threads: int = 1
    nice: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    # The child's Keras backend (`KERAS_TRAINING_BACKEND`, `app.ml.backend`); the
    # artifact it saves is served under TensorFlow all the same.
    backend: str = "tensorflow"
    # Under JAX: where compiled programs are cached across models and runs (`app.ml.backend`).
    compilation_cache: str | None = None


class Reporter(Protocol):
    """Where the supervisor sends what the child reports; each may raise to stop it."""

    def reached_stage(self, stage: str, progress: dict[str, Any]) -> Awaitable[None]: ...

    def progress(self, progress: dict[str, Any]) -> Awaitable[None]: ...

    def heartbeat(self) -> Awaitable[None]: ...


class ChildFailed(Exception):
    """Training failed; `stage` is None when it failed in whatever stage the job is in."""

    def __init__(self, reason: str, stage: str | None = None) -> None:
        super().__init__(reason)
        self.stage = stage
        self.reason = reason


class ChildInterrupted(Exception):
    """The child stopped at an epoch boundary when asked; `checkpoint` resumes the run
    after `epoch` (None when it stopped before its first epoch ended)."""

    def __init__(self, epoch: int, checkpoint: bytes | None) -> None:
        super().__init__(f"training interrupted after epoch {epoch}")
        self.epoch = epoch
        self.checkpoint = checkpoint


async def supervise(
    spec: TrainingSpec,
    bars_ipc: bytes,
    reporter: Reporter,
    *,
    timeout_s: float,
    heartbeat_interval_s: float,
    progress_write_interval_s: float,
    checkpoint: bytes | None = None,
    stop: asyncio.Event | None = None,
) -> dict[str, Any]:
    """Train `spec` in a child process (from `checkpoint`, if given); its result, or
    ChildFailed, or ChildInterrupted once `stop` is set and the child reached an epoch
    boundary. The child is killed however this ends."""
    mp = multiprocessing.get_context("spawn")
    parent, child = mp.Pipe(duplex=False)
    started = time.time()
    process = mp.Process(
        target=child_main,
        args=(spec, bars_ipc, child, checkpoint),
        daemon=True,
        name=f"train-{spec.version_id}",
    )
    # Off the loop, beside the heartbeat: start() writes the pickled bars into the
    # child's pipe and waits for the new interpreter to read them (2.4 MB of 1min bars:
    # 0.07 s on an idle core, several times that on a busy one).
    starting = asyncio.create_task(asyncio.to_thread(process.start))
    try:
        await asyncio.shield(starting)
        child.close()
        result = await _relay(
            process,
            parent,
            reporter,
            timeout_s=timeout_s,
            heartbeat_interval_s=heartbeat_interval_s,
            progress_write_interval_s=progress_write_interval_s,
            stop=stop,
        )
        stages = result.get("stage_seconds")
        child_started = result.pop("child_started_at", None)
        if isinstance(stages, dict) and child_started is not None:
            # the spawned interpreter's start-up, before `child_main` ran
            stages["spawn"] = round(float(child_started) - started, 4)
        logger.info(
            "training %s (%s) took %s s by stage",
            spec.version_id,
            result["metrics"]["training_backend"],
            stages,
        )
        return result
    finally:
        await starting  # cancelled while starting: the child exists once it returns
        child.close()
        if process.is_alive():
            process.kill()  # SIGTERM would only ask it for a checkpoint
            await asyncio.to_thread(process.join, 5)
        parent.close()


async def _relay(
    process: Any,
    conn: Connection,
    reporter: Reporter,
    *,
    timeout_s: float,
    heartbeat_interval_s: float,
    progress_write_interval_s: float,
    stop: asyncio.Event | None = None,
) -> dict[str, Any]:
    """Pass on stages at once, progress at most every `progress_write_interval_s` and a
    heartbeat otherwise; stop on the result, a failure, an interruption, a dead child
    or the deadline. Once `stop` is set, and the child listens (`armed`), ask it for a
    checkpoint (SIGTERM)."""
    deadline = time.monotonic() + timeout_s
    last_beat = last_write = 0.0
    pending_progress: dict[str, Any] | None = None
    armed = asked = False
    while True:
        if stop is not None and stop.is_set() and armed and not asked:
            logger.info("asking training process %s to stop at the next epoch", process.pid)
            with contextlib.suppress(OSError):
                os.kill(process.pid, signal.SIGTERM)
            asked = True
        while conn.poll():
            try:
                kind, payload = conn.recv()
            except EOFError:
                break
            if kind == "progress":
                pending_progress = payload
            elif kind == "armed":
                armed = True
            elif kind == "resumed":
                logger.info("training resumes from its checkpoint at epoch %s", payload + 1)
            elif kind == "interrupted":
                if pending_progress:
                    await reporter.progress(pending_progress)
                raise ChildInterrupted(int(payload["epoch"]), payload["checkpoint"])
            elif kind == "stage":
                await reporter.reached_stage(str(payload), pending_progress or {})
                pending_progress = None
            elif kind == "result":
                return dict(payload)
            elif kind == "failed":
                raise ChildFailed(payload["reason"], payload["stage"])
        now = time.monotonic()
        if pending_progress and now - last_write >= progress_write_interval_s:
            await reporter.progress(pending_progress)
            pending_progress, last_write, last_beat = None, now, now
        elif now - last_beat >= heartbeat_interval_s:
            await reporter.heartbeat()
            last_beat = now
        if not process.is_alive() and not conn.poll():
            raise ChildFailed(
                f"the training process stopped unexpectedly (exit code {process.exitcode})"
            )
        if now > deadline:
            raise ChildFailed(f"training exceeded the {timeout_s} s limit")
        await asyncio.sleep(0.1)


def child_main(
    spec: TrainingSpec, bars_ipc: bytes, conn: Connection, checkpoint: bytes | None = None
) -> None:
    """Entry point of the child process; never raises (the pipe carries the outcome).
    SIGTERM or SIGINT asks it to stop at the next epoch boundary with a checkpoint.
    Its first step chooses the Keras backend, before anything imports Keras."""
    _CHILD_STARTED[:] = [time.perf_counter(), time.time()]
    from app.ml.backend import apply

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    apply(spec.backend, spec.compilation_cache)
    pause = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: pause.set())
    conn.send(("armed", None))
    exit_with_parent()
    if spec.nice:
        lower_priority(spec.nice)
    try:
        conn.send(("result", train_and_evaluate(spec, bars_ipc, conn, checkpoint, pause)))
    except _Interrupted as stopped:
        conn.send(("interrupted", {"epoch": stopped.epoch, "checkpoint": stopped.checkpoint}))
    except _Failure as failure:
        conn.send(("failed", {"stage": failure.stage, "reason": failure.reason}))
    except Exception as exc:  # report, never crash silently
        conn.send(
            (
                "failed",
                {"stage": "TRAINING", "reason": f"unexpected {type(exc).__name__}: {exc}"[:1500]},
            )
        )
    finally:
        conn.close()


class _Failure(Exception):
    def __init__(self, stage: str, reason: str) -> None:
        super().__init__(reason)
        self.stage = stage
        self.reason = reason


class _Interrupted(Exception):
    def __init__(self, epoch: int, checkpoint: bytes) -> None:
        super().__init__(f"interrupted after epoch {epoch}")
        self.epoch = epoch
        self.checkpoint = checkpoint


def training_frame(bars: pl.DataFrame, features: list[str]) -> tuple[pl.DataFrame, list[str]]:
    """The bars a model trains on, with their feature columns (and the names of those).

    Features on whole columns, then the indicator warm-up dropped: the rows where a
    column is still null, i.e. not yet independent of where the frame starts
    (`app.services.features`), and any leading rows that are not finite in float32.
    """
    from app.services.features import compute_features, feature_columns
    from app.services.sentiment import SENTIMENT_COLUMNS

    columns = feature_columns(features)
    # joined by the job when sentiment_enabled: the score and its coverage flag
    columns.extend(c for c in SENTIMENT_COLUMNS if c in bars.columns)
    frame = compute_features(bars, features).drop_nulls(columns)
    finite = np.isfinite(frame.select(columns).to_numpy().astype(np.float32)).all(axis=1)
    first = int(np.argmax(finite)) if finite.any() else len(finite)
    return frame.slice(first), columns


def prepare(spec: TrainingSpec, bars: pl.DataFrame) -> tuple[Any, Any]:
    """The dataset of `training_frame`'s rows, stamped with the features' version, and
    those rows' unscaled features (walk-forward folds refit the scaler on them)."""
    from app.ml.dataset import InvalidSeries, make_dataset
    from app.services.features import FEATURE_VERSION

    frame, columns = training_frame(bars, spec.features)
    values = frame.select(columns).to_numpy().astype(np.float32)
    close = frame["close"].to_numpy()
    try:
        dataset = make_dataset(
            values,
            close,
            lookback=int(spec.hyperparameters["lookback"]),
            horizon_bars=spec.horizon_bars,
            feature_names=columns,
        )
    except InvalidSeries as exc:
        raise _Failure("VALIDATING", str(exc)) from None
    preprocessing = replace(dataset.preprocessing, feature_version=FEATURE_VERSION)
    return replace(dataset, preprocessing=preprocessing), values


def train_and_evaluate(
    spec: TrainingSpec,
    bars_ipc: bytes,
    conn: Connection,
    checkpoint: bytes | None = None,
    pause: threading.Event | None = None,
) -> dict[str, Any]:
    """Train and evaluate `spec`, resuming from `checkpoint` (bytes of
    `app.ml.checkpoint.TrainingCheckpoint`) if it fits this run; once `pause` is set,
    stop at the next epoch boundary (`_Interrupted`, with a checkpoint).

    `auto` trains each of `app.ml.selection.CANDIDATES` on the same dataset, settings
    and seed, then evaluates the one with the lowest validation loss as a run of that
    architecture would be. A paused `auto` run restarts its candidates from the first:
    a checkpoint holds one model, and retraining the earlier ones is cheaper than
    carrying them all."""
    stages = _Stages()
    from app.ml.architectures import Hyperparameters
    from app.ml.artifacts import save_artifact
    from app.ml.backend import current as current_backend
    from app.ml.calibration import fit_calibrator
    from app.ml.champion import gate
    from app.ml.checkpoint import CheckpointError, TrainingCheckpoint
    from app.ml.conformal import fit_interval, interval_metrics, scale_window_for, split_scales
    from app.ml.drift import feature_profile
    from app.ml.evaluation import evaluate
    from app.ml.selection import (
        CANDIDATES,
        Candidate,
        candidate_scores,
        choose,
        display_name,
        is_auto,
        leaderboard,
    )
    from app.ml.training import (
        TrainingDiverged,
        TrainingInterrupted,
        configure_threads,
        predict_scaled,
        train,
    )
    from app.services.market_data.frequency import get_frequency

    configure_threads(spec.threads)
    stages.mark("imports")
    dataset, raw_features = prepare(spec, pl.read_ipc(io.BytesIO(bars_ipc)))
    stages.mark("features_and_windows")
    hp = Hyperparameters.from_json({**spec.hyperparameters, "seed": spec.seed})
    auto = is_auto(spec.architecture)
    resume: TrainingCheckpoint | None = None
    if checkpoint is not None and not auto:
        with contextlib.suppress(CheckpointError):  # unreadable: train afresh
            resume = TrainingCheckpoint.from_bytes(checkpoint)
    first_epoch: list[int] = []
    latest: dict[str, Any] = {}  # the last epoch's progress, which fold progress extends
    training_now: dict[str, Any] = {}  # `auto`: which candidate the epochs belong to

    def on_epoch(epoch: int, epochs: int, loss: float, val_loss: float) -> None:
        if not first_epoch:
            first_epoch.append(epoch)
            if epoch > 1:
                conn.send(("resumed", epoch - 1))
        progress: dict[str, Any] = {
            "epoch": epoch,
            "epochs": epochs,
            "loss": _num(loss),
            "val_loss": _num(val_loss),
        }
        if first_epoch[0] > 1:
            progress["resumed_from_epoch"] = first_epoch[0] - 1
        progress.update(training_now)
        latest.update(progress)
        conn.send(("progress", progress))

    candidates: list[Candidate] = []
    fitted: dict[str, Any] = {}  # architecture → TrainingResult, for the test figures
    for architecture in CANDIDATES if auto else (spec.architecture,):
        if auto:
            training_now.update({"candidate": architecture, "candidates": len(CANDIDATES)})
        try:
            trained = train(
                dataset,
                architecture,
                hp,
                spec.epochs,
                on_epoch=on_epoch,
                should_pause=pause.is_set if pause is not None else None,
                resume=resume,
            )
        except TrainingDiverged as exc:
            if not auto:
                raise _Failure("TRAINING", exc.reason) from None
            candidates.append(Candidate(display_name(architecture), diverged=exc.reason))
            continue
        except TrainingInterrupted as stopped:
            saved = stopped.checkpoint
            raise _Interrupted(saved.epoch, saved.to_bytes()) from None
        candidates.append(Candidate.of(architecture, trained))
        fitted[candidates[-1].architecture] = trained
    chosen = choose(candidates)
    if chosen is None:  # only `auto` gets here: every candidate diverged
        raise _Failure(
            "TRAINING", "; ".join(f"{c.architecture}: {c.diverged}" for c in candidates)[:1500]
        )
    winner = candidates[chosen].architecture
    result = fitted[winner]
    spec = replace(spec, architecture=winner)  # walk-forward folds train the winner
    if auto and result.history:  # fold progress extends the winner's last epoch
        last = result.history[-1]
        latest.update(
            {
                "epoch": last.epoch,
                "epochs": spec.epochs,
                "loss": _num(last.loss),
                "val_loss": _num(last.val_loss),
                "candidate": winner,
            }
        )
    stages.mark("fit")
    conn.send(("stage", "EVALUATING"))
    splits = dataset.splits
    val_pred = predict_scaled(result.model, dataset, splits.validation)
    calibrator = fit_calibrator(
        val_pred, dataset.split_log_returns(splits.validation), horizon_bars=spec.horizon_bars
    )
    # The prediction interval: split-conformal on the validation residuals (raw units).
    window = scale_window_for(dataset.lookback)
    interval = fit_interval(
        dataset.scaler.unscale_target(val_pred),
        dataset.split_log_returns(splits.validation),
        split_scales(dataset, splits.validation, window),
        scale_window=window,
    )
    test_scaled = predict_scaled(result.model, dataset, splits.test)
    predicted = dataset.scaler.unscale_target(test_scaled)
    confidence = calibrator.confidence(test_scaled)
    freq = get_frequency(spec.frequency)
    metrics = evaluate(
        dataset,
        predicted,
        confidence,
        bars_per_year=freq.bars_per_year,
        signals=backtest_signals(spec, predicted, confidence),
        cost_bp=spec.cost_bp,
    )
    metrics.update(
        interval_metrics(
            interval,
            predicted,
            dataset.split_log_returns(splits.test),
            split_scales(dataset, splits.test, window),
        )
    )
    board: list[dict[str, Any]] | None = None
    if auto:  # after the choice, for comparison only
        realised = dataset.split_log_returns(splits.test)
        scores = {
            name: candidate_scores(
                predicted
                if name == winner
                else dataset.scaler.unscale_target(
                    predict_scaled(other.model, dataset, splits.test)
                ),
                realised,
            )
            for name, other in fitted.items()
        }
        board = leaderboard(candidates, chosen, scores)
        fitted.clear()
    stages.mark("evaluation")
    folds = walk_forward_evaluation(
        spec,
        dataset,
        raw_features,
        hp,
        result.best_epoch,
        lambda fold: conn.send(("progress", {**latest, **fold})),
    )
    if folds is not None:
        summary = folds.summary_metrics()
        metrics.update({key: summary[key] for key in WALK_FORWARD_SUMMARY})
        # The verdict a user sees comes from every fold, not from one test split.
        for key in VERDICTS:  # the single test split's stay beside them as test_*
            metrics[f"test_{key}"] = metrics[key]
            metrics[key] = getattr(folds, key)
    metrics.update(
        {
            "epochs_run": result.epochs_run,
            "best_epoch": result.best_epoch,
            "train_samples": result.train_samples,
            "validation_samples": len(splits.validation),
            "samples_per_second": round(result.samples_per_second, 1),
            "training_backend": current_backend(),
        }
    )
    stages.mark("walk_forward")
    sha = save_artifact(
        spec.out_dir, result.model, dataset.preprocessing, calibrator, metrics, interval=interval
    )
    stages.mark("save")
    curve = result.loss_curve()
    profile = feature_profile(
        raw_features[: int(dataset.end_bar(dataset.splits.train.stop - 1)) + 1],
        list(dataset.preprocessing.feature_names),
    )
    decision = gate(spec.champion, dataset, raw_features, predicted)
    stages.mark("profile_and_gate")
    return {
        "architecture": winner,
        "leaderboard": board,
        "weights_path": spec.out_dir,
        "sha256": sha,
        # The training split's feature distribution, which drift is measured against
        # (in the database row only: the artifact's files and digest are unchanged).
        "preprocessing": {**dataset.preprocessing.to_json(), "feature_profile": profile},
        "calibration": calibrator.to_json(),
        "interval": interval.to_json() if interval is not None else None,
        "metrics": metrics,
        "walk_forward": folds.to_json() if folds is not None else None,
        "decision": decision,
        "loss_curve": [
            {"epoch": e, "loss": _num(lo), "val_loss": _num(vl)}
            for e, lo, vl in zip(curve["epoch"], curve["loss"], curve["val_loss"], strict=True)
        ],
        # Where the child's time went (seconds per stage, `_Stages`): for logs and
        # bench/training.py; the job does not store it.
        "stage_seconds": stages.seconds,
        "child_started_at": _CHILD_STARTED[1] if _CHILD_STARTED else None,
    }


class _Stages:
    """Wall time per stage of `train_and_evaluate`: each `mark` closes the stage since
    the previous one (the first since the child started, when known: `_CHILD_STARTED`)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()
        if _CHILD_STARTED:
            self.seconds["child_start"] = round(self._last - _CHILD_STARTED[0], 4)

    def mark(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = round(now - self._last, 4)
        self._last = now


# perf_counter at `child_main`'s entry (after the spawned interpreter's start-up and
# unpickling), and the wall clock then: the parent measures spawn with it.
_CHILD_STARTED: list[float] = []


VERDICTS = ("skill", "beats_naive_baseline", "beats_linear_baseline", "beats_gbm_baseline")
# The pooled figures an agent's metrics carry; every fold's are on the version.
WALK_FORWARD_SUMMARY = tuple(
    f"walk_forward_{key}"
    for key in (
        "n_folds",
        "folds_beating_naive",
        "n_test",
        "rmse_ratio_naive",
        "rmse_ratio_linear",
        "rmse_ratio_gbm",
        "directional_accuracy",
        "directional_accuracy_ci_low",
        "directional_accuracy_ci_high",
        "ic",
    )
)


def walk_forward_evaluation(
    spec: TrainingSpec,
    dataset: Any,
    raw_features: Any,
    hp: Any,
    epochs: int,
    report: Callable[[dict[str, int]], None],
) -> Any:
    """Rolling-origin folds over the latest history, each trained afresh with the
    chosen hyperparameters for the main run's best epoch count (no search per fold),
    or None when disabled or the history is too short for one fold. A fold whose
    training diverges forecasts "no change": it offers nothing, and is scored so."""
    from app.ml.dataset import InvalidSeries
    from app.ml.training import TrainingDiverged, predict_scaled, train
    from app.ml.walk_forward import folds_for, walk_forward, walk_forward_folds

    if spec.walk_forward_folds < 1:
        return None
    try:
        n_folds = folds_for(dataset.n_samples, spec.horizon_bars, spec.walk_forward_folds)
        folds = walk_forward_folds(dataset.n_samples, spec.horizon_bars, n_folds=n_folds)
    except InvalidSeries:
        return None
    done: list[int] = []

    def fit_predict(fold_dataset: Any) -> Any:
        done.append(1)
        report({"fold": len(done), "folds": len(folds)})
        test = fold_dataset.splits.test
        try:
            fitted = train(fold_dataset, spec.architecture, hp, max(1, epochs))
        except TrainingDiverged:
            return np.zeros(len(test))
        return fold_dataset.scaler.unscale_target(predict_scaled(fitted.model, fold_dataset, test))

    return walk_forward(dataset, folds, fit_predict, raw_features=raw_features)


def backtest_signals(spec: TrainingSpec, predicted: Any, confidence: Any) -> Any:
    """The §6 rule's decision per test bar (+1 Enter long, −1 Enter short, 0 otherwise)."""
    from app.services.signals.backtest import backtest_positions

    return backtest_positions(
        predicted_log_returns=np.asarray(predicted, dtype=np.float64),
        confidence=np.asarray(confidence, dtype=np.float64),
        confidence_level=float(spec.risk_params.get("confidence_level", 0.6)),
        user_segment=spec.user_segment,
    )


def _num(value: float) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def lower_priority(nice: int) -> None:
    """Let an API on the same cores win the CPU whenever it wants it (SPEC §9).

    With autogroup scheduling (on in most Linux distributions) the kernel first
    shares the CPU between sessions and niceness only ranks processes within one,
    so a worker started from its own terminal or unit would keep half the CPU
    however niced its child. The child therefore starts a session of its own and
    nices that group as well as itself; it still dies with its parent (below)."""
    with contextlib.suppress(OSError):
        os.setsid()
    # Without autogroup (or /proc) the process's own niceness is what counts.
    with contextlib.suppress(OSError), open("/proc/self/autogroup", "w") as autogroup:
        autogroup.write(str(nice))
    os.nice(nice)


def exit_with_parent() -> None:
    parent = os.getppid()

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(3)
            time.sleep(1.0)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()

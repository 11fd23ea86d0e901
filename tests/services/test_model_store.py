"""Closing a `ModelStore`: no load it started outlives it (within a bound)."""

from __future__ import annotations

import asyncio
import threading
import uuid
from typing import Any

import pytest

from app.ml import inference
from app.ml.artifacts import ArtifactError
from app.services.model_store import ModelStore

GUARD_S = 30.0  # a guard against a hung thread, not a timing assertion


class _HeldLoad:
    """`Predictor.load` that starts, then waits until the test releases it."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.finished = threading.Event()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.started.set()
        self.release.wait(GUARD_S)
        self.finished.set()
        raise ArtifactError("held load: no file behind it")


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> _HeldLoad:
    load = _HeldLoad()
    monkeypatch.setattr(inference.Predictor, "load", load)
    return load


async def _preload_under_way(store: ModelStore, held: _HeldLoad) -> None:
    """A preload whose load is running on its thread, its task cancelled as a shutdown
    cancels it: the thread goes on."""
    task = asyncio.create_task(store.preload(uuid.uuid4(), "nowhere", "0" * 64))
    assert await asyncio.to_thread(held.started.wait, GUARD_S)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert not held.finished.is_set()


async def test_close_waits_for_a_load_under_way(held: _HeldLoad) -> None:
    store = ModelStore(max_models=2)
    await _preload_under_way(store, held)
    threading.Timer(0.2, held.release.set).start()
    await store.close()
    assert held.finished.is_set()  # the load ended before close returned


async def test_close_gives_up_on_a_hung_load_after_its_timeout(held: _HeldLoad) -> None:
    store = ModelStore(max_models=2)
    await _preload_under_way(store, held)
    try:
        await store.close(timeout_s=0.2)
        assert not held.finished.is_set()  # it returned with the load still running
    finally:
        held.release.set()

"""Serving models: agent versions loaded once, verified, kept in an LRU, run off the loop.

Loading a `.keras` file and compiling its `tf.function` takes a second or two and
TensorFlow's first import several; both happen in a thread, at most once per
version at a time, so the event loop keeps answering. A missing or corrupt
artifact is a 409 (`ModelUnavailable`) and the agent is flagged for retraining —
never a 500.
"""

from __future__ import annotations

import asyncio
import functools
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from app.errors import Conflict
from app.ml.artifacts import ArtifactError
from app.ml.inference import ModelCache

if TYPE_CHECKING:
    from app.ml.inference import Forecast, Predictor


class ModelUnavailable(Conflict):
    code = "model_unavailable"
    message = "The agent's model files are missing or corrupt; retrain the agent."
    commit_session = True  # the agent's needs_retraining flag must outlive the 409


class ModelStore:
    def __init__(self, max_models: int, threads: int = 2, *, naive: bool = False) -> None:
        self._naive = naive
        self._cache: ModelCache[uuid.UUID, Predictor] = ModelCache(max_models)
        # Inference calls are ~1 ms; a small dedicated pool keeps them off the
        # default executor that file I/O and password hashing share.
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="inference")

    async def predictor(self, version_id: uuid.UUID, path: str, sha256: str) -> Predictor:
        cached = self._cache.get(version_id)
        if cached is not None:
            return cached
        from app.ml.inference import Predictor

        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(
                self._pool,
                self._cache.get_or_load,
                version_id,
                lambda: Predictor.load(path, sha256, naive=self._naive),
            )
        except ArtifactError as exc:
            raise ModelUnavailable(
                f"The model files of this agent could not be loaded ({type(exc).__name__}); "
                "the agent has been flagged for retraining."
            ) from None

    async def forecast(
        self,
        predictor: Predictor,
        features: npt.NDArray[np.float32],
        last_close: float,
        closes: npt.NDArray[np.float64] | None = None,
    ) -> Forecast:
        loop = asyncio.get_running_loop()
        call = functools.partial(predictor.forecast, features, last_close, closes=closes)
        return await loop.run_in_executor(self._pool, call)

    def evict(self, version_id: uuid.UUID) -> None:
        self._cache.evict(version_id)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

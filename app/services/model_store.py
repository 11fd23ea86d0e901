"""Serving models: agent versions loaded once, verified, kept in an LRU, loaded off the loop.

Loading a `.keras` file and compiling its `tf.function` takes a second or two and
TensorFlow's first import several; both happen in a thread, at most once per
version at a time, so the event loop keeps answering. A missing or corrupt
artifact is a 409 (`ModelUnavailable`) and the agent is flagged for retraining —
never a 500. With the database artifact store (`app.services.artifact_store`) the files
are first materialised from the database into this process's `MODEL_DIR` cache, and a
cached copy that fails verification is materialised again, once, before giving up.

Agents trained with the same hyperparameters share one traced graph (`SharedGraph`):
a version of a structure already loaded costs its `.keras` file and its weights
(≈ 40 ms, 0.1 MiB), not a trace and a compilation. The first of a structure returns
once its plain graph is warmed; XLA compiles on a background thread and is swapped in
when ready (`CompiledModel`'s ``background_jit``), so the first call of a freshly
loaded version costs a plain call, not a compilation. `preload` loads a version
before anyone asks for it (`app.services.model_preload` calls it when a version starts
serving and at start-up), on a thread of its own so inference never queues behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from app.errors import Conflict
from app.ml.artifacts import ArtifactError
from app.ml.inference import ModelCache
from app.services.artifact_store import ArtifactStore, StoredArtifactError

if TYPE_CHECKING:
    from app.ml.inference import Forecast, Predictor

logger = logging.getLogger(__name__)


class ModelUnavailable(Conflict):
    code = "model_unavailable"
    message = "The agent's model files are missing or corrupt; retrain the agent."
    commit_session = True  # the agent's needs_retraining flag must outlive the 409


class ModelStore:
    """Loaded predictors by version id: at most `max_models` of them and, when
    `max_bytes` is given, at most that many bytes by each model's estimate
    (`CompiledModel.estimated_bytes`: 0.1-0.25 MiB for a model whose structure is
    loaded, plus 2.5-8 MiB for the first of a structure), least recently used first
    out. Memory, not a count, is what limits how many agents a process can keep warm:
    a Transformer costs twice an LSTM."""

    def __init__(
        self,
        max_models: int,
        threads: int = 2,
        *,
        max_bytes: int | None = None,
        naive: bool = False,
        artifacts: ArtifactStore | None = None,
        background_jit: bool = True,
    ) -> None:
        self._naive = naive
        self._background_jit = background_jit
        self.artifacts = artifacts  # None: versions load from their weights_path only
        self._cache: ModelCache[uuid.UUID, Predictor] = ModelCache(
            max_models, max_bytes=max_bytes, sizer=_predictor_bytes
        )
        # Loads on demand and the calls of models not yet XLA-compiled: a small pool
        # of their own, off the default executor that file I/O and password hashing share.
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="inference")
        # Preloads, one at a time: a burst of them (start-up, a deploy) leaves the
        # inference threads free; a request for a version being preloaded waits for
        # that one load (`ModelCache.get_or_load`), it does not start another.
        self._preload_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="preload")

    def __contains__(self, version_id: object) -> bool:
        return version_id in self._cache

    async def predictor(
        self,
        version_id: uuid.UUID,
        path: str,
        sha256: str,
        *,
        agent_id: uuid.UUID | None = None,
    ) -> Predictor:
        cached = self._cache.get(version_id)
        if cached is not None:
            return cached
        return await self._fetch(version_id, path, sha256, agent_id, self._pool)

    async def preload(
        self,
        version_id: uuid.UUID,
        path: str,
        sha256: str,
        *,
        agent_id: uuid.UUID | None = None,
    ) -> bool:
        """Load a version ahead of its first call; True if it was loaded now.

        Never raises for a version that cannot be loaded (its first call answers the
        409 and flags the agent): a background load has nobody to tell."""
        if version_id in self._cache:
            return False
        try:
            await self._fetch(version_id, path, sha256, agent_id, self._preload_pool)
        except ModelUnavailable:
            return False
        return True

    async def _fetch(
        self,
        version_id: uuid.UUID,
        path: str,
        sha256: str,
        agent_id: uuid.UUID | None,
        pool: ThreadPoolExecutor,
    ) -> Predictor:
        try:
            if self.artifacts is None or agent_id is None:
                return await self._load(version_id, path, sha256, pool)
            local = await self.artifacts.local_copy(agent_id, version_id, path, sha256)
            try:
                return await self._load(version_id, local or path, sha256, pool)
            except ArtifactError as exc:
                # A damaged cached copy: materialise it again from the database, once.
                fresh = await self.artifacts.local_copy(
                    agent_id, version_id, path, sha256, refresh=True
                )
                if fresh is None:
                    raise
                logger.warning("version %s: cached copy unusable (%s); refetched", version_id, exc)
                return await self._load(version_id, fresh, sha256, pool)
        except ArtifactError as exc:
            logger.warning("version %s cannot be loaded: %s", version_id, exc)
            # The store's messages name no path; a file system error's might.
            reason = f": {exc}" if isinstance(exc, StoredArtifactError) else ""
            kind = type(exc).__mro__[1].__name__ if reason else type(exc).__name__
            raise ModelUnavailable(
                f"The model files of this agent could not be loaded ({kind}{reason}); "
                "the agent has been flagged for retraining."
            ) from None

    async def _load(
        self, version_id: uuid.UUID, path: str, sha256: str, pool: ThreadPoolExecutor
    ) -> Predictor:
        from app.ml.inference import Predictor

        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            pool,
            self._cache.get_or_load,
            version_id,
            lambda: Predictor.load(
                path, sha256, naive=self._naive, background_jit=self._background_jit
            ),
        )

    async def forecast(
        self,
        predictor: Predictor,
        features: npt.NDArray[np.float32],
        last_close: float,
        closes: npt.NDArray[np.float64] | None = None,
    ) -> Forecast:
        if predictor.compiled.jit_compiled:
            # An XLA call of one window (0.1-1 ms) costs less than the trip to a
            # thread and back; the plain graph a fresh load serves (≈ 3 ms) goes there.
            return predictor.forecast(features, last_close, closes=closes)
        loop = asyncio.get_running_loop()
        call = functools.partial(predictor.forecast, features, last_close, closes=closes)
        return await loop.run_in_executor(self._pool, call)

    def evict(self, version_id: uuid.UUID) -> None:
        self._cache.evict(version_id)

    async def close(self, timeout_s: float = 10.0) -> None:
        """Drop the queued loads and wait, up to ``timeout_s``, for those already running.

        A load's thread goes on after the request or preload awaiting it is cancelled;
        one left running after shutdown went on filling a registry of the process that
        the next app in it (a test's) had started using."""
        pools = (self._pool, self._preload_pool)
        finished = asyncio.gather(
            *(asyncio.to_thread(pool.shutdown, cancel_futures=True) for pool in pools)
        )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(finished, timeout_s)


def _predictor_bytes(predictor: Predictor) -> int:
    return predictor.compiled.estimated_bytes

"""Jobs that survive real vendors: slow fetches keep their lease, the scheduler never
waits behind a training, a vendor's 429 backs off without spending an attempt, and
whatever fails inside a run is the reason it FAILED.

Both modes; in services mode real ARQ workers on PostgreSQL and Redis. The only fake
is the vendor (tests/utils/vendor.py, on httpx.MockTransport).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from httpx import AsyncClient
from sqlalchemy import update
from sqlmodel import select

from app.config import Settings
from app.models import TrainingJob
from app.models.agents import AgentStatus
from app.models.base import utcnow
from app.services.job_queue import EmbeddedJobQueue
from app.services.market_data.refinitiv import pricing
from app.services.training_jobs import BackOff
from app.tasks import training
from app.tasks.context import JobContext
from app.tasks.embedded import EmbeddedRunner
from app.tasks.training import unexpected
from tests.tasks.test_outcomes import synthetic_call
from tests.utils.client import runtime_of
from tests.utils.jobs import arq_worker, slow_agent, tiny_agent, wait_for
from tests.utils.predictions import stored
from tests.utils.users import bearer, user_with_tokens
from tests.utils.vendor import PagedRefinitiv, rate_limited, refinitiv_settings


async def _job(client: AsyncClient, agent_id: str) -> TrainingJob:
    async with runtime_of(client).sessionmaker() as session:
        job: TrainingJob = (
            await session.scalars(
                select(TrainingJob).where(TrainingJob.agent_id == uuid.UUID(agent_id))
            )
        ).one()
        return job


@contextlib.asynccontextmanager
async def trainers(
    settings: Settings, backend: str, vendor: PagedRefinitiv, count: int = 1
) -> AsyncIterator[None]:
    """`count` workers (ARQ, or embedded runners: one per API process) on `vendor`."""
    async with contextlib.AsyncExitStack() as stack:
        for _ in range(count):
            if backend == "services":
                await stack.enter_async_context(arq_worker(settings, http=vendor.client(settings)))
            else:
                queue = EmbeddedJobQueue()
                runner = EmbeddedRunner(
                    JobContext.build(settings, queue, vendor.client(settings)), queue
                )
                runner.start()
                stack.push_async_callback(runner.stop)
        yield


async def _api(
    app_factory: Callable[[Settings], Any], settings: Settings
) -> tuple[AsyncClient, dict[str, Any]]:
    client = await app_factory(settings)
    _, tokens = await user_with_tokens(client, user_segment="quant")
    return client, tokens


async def _create(client: AsyncClient, tokens: dict[str, Any], body: dict[str, Any]) -> str:
    created = await client.post("/api/v1/agents", json=body, headers=bearer(tokens))
    assert created.status_code == 202, created.text
    return str(created.json()["agent_id"])


def test_back_off_doubles_with_jitter_is_capped_and_honours_retry_after() -> None:
    back_off = BackOff(base_s=10, max_s=100, max_retries=5)
    for retry, nominal in [(1, 10), (2, 20), (3, 40), (4, 80), (5, 100), (9, 100)]:
        delays = [back_off.delay(retry) for _ in range(200)]
        assert all(0.8 * nominal <= d <= 1.2 * nominal for d in delays), (retry, delays[:3])
        assert len(set(delays)) > 1  # jittered: workers that failed together spread out
    assert back_off.delay(1, retry_after_s=300) == 300  # never before the vendor allows


def test_an_unexpected_reason_names_the_exception_and_hides_credentials() -> None:
    reason = unexpected(
        RuntimeError("connect postgresql://app:hunter2@db:5432/x?password=hunter2 failed")
    )
    assert reason.startswith("unexpected RuntimeError: connect postgresql://app:***@db")
    assert "hunter2" not in reason
    assert len(unexpected(ValueError("x" * 5000))) == 500


async def test_a_slow_vendor_fetch_keeps_its_lease(
    app_factory: Callable[[Settings], Any],
    make_worker_settings: Callable[..., Settings],
    backend: str,
) -> None:
    """Thirty slow pages take over twice STALE_JOB_AFTER_S; two workers sweep all the
    while. The run heartbeats through its fetch: never re-queued, one attempt, READY.
    STALE_JOB_AFTER_S leaves ten missed beats of slack for a loaded machine's stalls."""
    settings = make_worker_settings(
        **refinitiv_settings(),
        stale_job_after_s=2.0,
        heartbeat_interval_s=0.2,
        reaper_interval_s=0.2,
        progress_write_interval_s=0.2,
        embedded_runner=False,
    )
    vendor = PagedRefinitiv(rows_per_page=50, page_delay_s=0.16)
    client, tokens = await _api(app_factory, settings)
    async with trainers(settings, backend, vendor, count=2):
        agent_id = await _create(client, tokens, tiny_agent(data_source="refinitiv"))
        agent = await wait_for(client, tokens, agent_id, {"READY"}, timeout=120)
    assert agent["serving_version_id"]
    fetch_s = vendor.answers[-1][0] - vendor.answers[0][0]
    assert vendor.pages >= 25 and fetch_s > 2 * settings.stale_job_after_s, (vendor.pages, fetch_s)
    job = await _job(client, agent_id)
    # Never re-queued: a second claim would have counted a second attempt.
    assert (job.state, job.attempts, job.transient_retries) == ("READY", 1, 0)


async def test_the_exchange_calendar_is_built_off_the_event_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A process's first build of a calendar takes seconds, and the run's heartbeat
    shares the loop: the loop keeps turning while a (slowed) build runs."""
    build = training.calendar_of_instrument

    def slow_build(instrument: Any, symbol: str) -> Any:
        time.sleep(0.5)
        return build(instrument, symbol)

    monkeypatch.setattr(training, "calendar_of_instrument", slow_build)
    turns = 0

    async def turn() -> None:
        nonlocal turns
        while True:
            await asyncio.sleep(0.01)
            turns += 1

    agent: Any = SimpleNamespace(instrument=None, symbol="AAPL")
    turning = asyncio.create_task(turn())
    try:
        calendar = await training._calendar(agent)
    finally:
        turning.cancel()
    assert calendar.name == "XNYS"
    assert turns >= 20, turns  # 0.5 s at 10 ms a turn; on the loop it would be 0


async def test_a_vendor_429_waits_for_retry_after_without_spending_an_attempt(
    app_factory: Callable[[Settings], Any],
    make_worker_settings: Callable[..., Settings],
    backend: str,
) -> None:
    settings = make_worker_settings(
        **refinitiv_settings(),
        transient_retry_base_s=0.1,  # the vendor's Retry-After is what the job must wait
        reaper_interval_s=0.2,
        heartbeat_interval_s=0.2,
        embedded_runner=False,
        training_max_attempts=1,
    )
    vendor = PagedRefinitiv(rows_per_page=2000, failures=[rate_limited(2)])
    client, tokens = await _api(app_factory, settings)
    async with trainers(settings, backend, vendor):
        agent_id = await _create(client, tokens, tiny_agent(data_source="refinitiv"))
        agent = await wait_for(client, tokens, agent_id, {"READY"}, timeout=120)
    assert agent["serving_version_id"]
    (refused_at, status), (retried_at, _) = vendor.answers[0], vendor.answers[1]
    assert status == 429
    assert retried_at - refused_at >= 2.0, retried_at - refused_at
    job = await _job(client, agent_id)
    # One attempt of the crash budget (TRAINING_MAX_ATTEMPTS = 1 here), one transient retry.
    assert (job.state, job.attempts, job.transient_retries) == ("READY", 1, 1)
    assert job.next_attempt_at is not None


@pytest.mark.parametrize(
    ("answers", "reason", "stage"),
    [
        (
            [rate_limited(1)] * 3,
            "refinitiv answered 429 (Too many requests, please try again later. (code 429))",
            "FETCHING_DATA",
        ),
        (
            [
                httpx.Response(
                    400,
                    json={
                        "error": {
                            "code": "TS.Interday.UserRequestError.90001",
                            "message": "The universe is not found",
                        }
                    },
                )
            ],
            "The universe is not found",
            "FETCHING_DATA",
        ),
    ],
    ids=["transient-retries-run-out", "permanent"],
)
async def test_vendor_failures_end_failed_with_the_vendors_message(
    app_factory: Callable[[Settings], Any],
    make_worker_settings: Callable[..., Settings],
    backend: str,
    answers: list[httpx.Response],
    reason: str,
    stage: str,
) -> None:
    settings = make_worker_settings(
        **refinitiv_settings(),
        transient_retry_base_s=0.1,
        training_max_transient_retries=2,
        reaper_interval_s=0.2,
        embedded_runner=False,
    )
    vendor = PagedRefinitiv(failures=answers)
    client, tokens = await _api(app_factory, settings)
    async with trainers(settings, backend, vendor):
        agent_id = await _create(client, tokens, tiny_agent(data_source="refinitiv"))
        agent = await wait_for(client, tokens, agent_id, {"FAILED"}, timeout=60)
    assert reason in agent["failure_reason"] and agent["failure_stage"] == stage
    job = await _job(client, agent_id)
    assert job.attempts == 1  # the crash budget untouched either way
    assert job.transient_retries == (2 if len(answers) > 1 else 0)


async def test_an_unexpected_exception_in_the_run_is_its_failure_reason(
    app_factory: Callable[[Settings], Any],
    make_worker_settings: Callable[..., Settings],
    backend: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A bug in the worker's own process (injected: the adapters turn every malformed
    answer into their own error, so no vendor page reaches one) fails the run at once
    with the error, not "stopped responding"."""

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("a bug no test foresaw")

    monkeypatch.setattr(pricing, "_rows_to_frame", broken)
    settings = make_worker_settings(
        **refinitiv_settings(), reaper_interval_s=0.2, embedded_runner=False
    )
    vendor = PagedRefinitiv()
    client, tokens = await _api(app_factory, settings)
    async with trainers(settings, backend, vendor):
        agent_id = await _create(client, tokens, tiny_agent(data_source="refinitiv"))
        agent = await wait_for(client, tokens, agent_id, {"FAILED"}, timeout=60)
    assert agent["failure_stage"] == "FETCHING_DATA"
    assert agent["failure_reason"] == "unexpected ValueError: a bug no test foresaw"
    job = await _job(client, agent_id)
    assert job.attempts == 1 and job.error == agent["failure_reason"]


async def test_the_scheduler_reaps_and_fills_outcomes_while_a_worker_trains(
    app_factory: Callable[[Settings], Any],
    make_worker_settings: Callable[..., Settings],
    backend: str,
) -> None:
    """One job slot, held by a long training. A second job whose worker died (a stale
    lease) is still FAILED by the sweep, and a call's outcome is still filled, both
    within their intervals — not once the training ends."""
    settings = make_worker_settings(
        worker_max_jobs=1,
        training_max_attempts=1,
        # The dead job's heartbeat is minutes old; the live one's may miss beats on a
        # busy machine without being taken for dead.
        stale_job_after_s=3.0,
        heartbeat_interval_s=0.2,
        progress_write_interval_s=0.2,
        reaper_interval_s=0.3,
        outcomes_interval_s=0.3,
    )
    call, close = await synthetic_call(settings)
    client, tokens = await _api(app_factory, settings)
    async with contextlib.AsyncExitStack() as stack:
        if backend == "services":
            await stack.enter_async_context(arq_worker(settings))
        long_id = await _create(client, tokens, slow_agent(epochs=30))
        await wait_for(client, tokens, long_id, {"TRAINING"}, timeout=120)
        dead_id = await _create(client, tokens, tiny_agent())
        async with runtime_of(client).sessionmaker() as session:  # its worker was SIGKILLed
            await session.execute(
                update(TrainingJob)
                .where(TrainingJob.agent_id == uuid.UUID(dead_id))  # type: ignore[arg-type]
                .values(
                    state=AgentStatus.FETCHING_DATA,
                    lease_token="dead-worker",
                    attempts=1,
                    heartbeat_at=utcnow() - timedelta(minutes=5),
                )
            )
            await session.commit()
        marked = time.monotonic()
        dead = await wait_for(client, tokens, dead_id, {"FAILED"}, timeout=30)
        reaped_s = time.monotonic() - marked
        for _ in range(300):
            if (await stored(settings, call.id))[call.id].realised_price is not None:
                break
            await asyncio.sleep(0.1)
        assert (await stored(settings, call.id))[call.id].realised_price == close
        filled_s = time.monotonic() - marked
        # Both happened while the only slot was still training.
        still = (await client.get(f"/api/v1/agents/{long_id}", headers=bearer(tokens))).json()
        assert still["status"] in {"TRAINING", "EVALUATING"}, still["status"]
        assert "stopped responding" in dead["failure_reason"]
        print(f"reaped after {reaped_s:.2f} s, outcome filled after {filled_s:.2f} s")
        cancel = await client.post(f"/api/v1/agents/{long_id}/cancel", headers=bearer(tokens))
        assert cancel.status_code in (200, 202), cancel.text
        await wait_for(client, tokens, long_id, {"CANCELLED"}, timeout=60)

"""`arq app.tasks.worker.WorkerSettings` and `make_worker` come from one set of options."""

from __future__ import annotations

from typing import Any

import pytest
from arq.worker import get_kwargs

from app.config import get_settings
from app.tasks import worker


def _comparable(options: dict[str, Any]) -> dict[str, Any]:
    """The options without the per-build callables (a fresh startup closure each time)."""
    return {
        key: value
        for key, value in options.items()
        if key not in {"functions", "cron_jobs", "on_startup", "redis_settings"}
    }


def test_the_command_lines_settings_are_the_worker_options() -> None:
    options = worker.worker_options(get_settings())
    read_by_arq = get_kwargs(worker.WorkerSettings)  # what `arq` passes to Worker(...)
    assert read_by_arq.keys() == options.keys()
    assert _comparable(read_by_arq) == _comparable(options)
    assert [f.name for f in read_by_arq["functions"]] == [f.name for f in options["functions"]]
    assert read_by_arq["redis_settings"] == options["redis_settings"]


def test_worker_settings_are_read_when_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKER_MAX_JOBS", "3")
    get_settings.cache_clear()
    try:
        assert worker.WorkerSettings.max_jobs == 3
    finally:
        get_settings.cache_clear()

"""Bars for the CSV source, and symbols no other test uses."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import Path


def unique_symbol() -> str:
    """Tests share one PostgreSQL database per session: each owns its symbols."""
    return "T" + uuid.uuid4().hex[:6].upper()


def write_minute_bars(data_dir: Path, symbol: str, first: datetime, closes: list[float]) -> None:
    """`DATA_DIR/1min/<SYMBOL>.csv`: one bar a minute from `first`, with these closes."""
    folder = data_dir / "1min"
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["timestamp,open,high,low,close,volume"]
    for i, close in enumerate(closes):
        stamp = (first + timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        lines.append(f"{stamp},{close - 0.1},{close + 0.2},{close - 0.3},{close},1000")
    (folder / f"{symbol}.csv").write_text("\n".join(lines) + "\n")

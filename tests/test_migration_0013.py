"""0013 backfills each stored agent's instrument from its symbol; the symbol stays."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from app.config import Settings
from app.migrate import migrate
from tests.utils.agents import agent_rows
from tests.utils.backends import admin, postgres_url, services_or_skip
from tests.utils.users import user_row

STORED = [("AAPL", "synthetic"), ("VOD.L", "refinitiv"), ("BRK-B", "csv"), ("IBM.N", "synthetic")]


async def _agents_after_0013(settings: Settings) -> dict[str, tuple[str, dict[str, Any]]]:
    """Agents stored at 0012, as 0013 leaves them: {symbol: (symbol, instrument)}."""
    user = user_row()
    agents = [agent_rows(user.id, serving=False, symbol=s, data_source=d)[0] for s, d in STORED]
    await migrate(settings, "0012")
    engine = create_async_engine(settings.sqlalchemy_database_url)
    try:
        async with engine.begin() as conn:
            then = await conn.run_sync(
                lambda c: {t: inspect(c).get_columns(t) for t in ("users", "agents")}
            )
            for row in (user, *agents):
                model: sa.Table = type(row).__table__  # type: ignore[attr-defined]
                present = {column["name"] for column in then[model.name]}
                table = sa.Table(  # the table as 0012 had it, with the model's column types
                    model.name,
                    sa.MetaData(),
                    *(sa.Column(c.name, c.type) for c in model.columns if c.name in present),
                )
                await conn.execute(
                    table.insert().values({c.name: getattr(row, c.name) for c in table.columns})
                )
        await migrate(settings)
        table = sa.Table(
            "agents",
            sa.MetaData(),
            sa.Column("symbol", sa.String()),
            sa.Column("instrument", sa.JSON()),
        )
        async with engine.connect() as conn:
            rows = (await conn.execute(sa.select(table.c.symbol, table.c.instrument))).all()
        await migrate(settings, "0012", downgrade=True)
    finally:
        await engine.dispose()
    return {symbol: (symbol, instrument) for symbol, instrument in rows}


def _check(stored: dict[str, tuple[str, dict[str, Any]]]) -> None:
    assert set(stored) == {s for s, _ in STORED}  # every symbol kept as it was
    apple = stored["AAPL"][1]
    assert (apple["symbol"], apple["currency"], apple["calendar"]) == ("AAPL", "USD", "XNYS")
    london = stored["VOD.L"][1]
    assert (london["currency"], london["amount_currency"], london["mic"]) == ("GBX", "GBP", "XLON")
    assert london["vendor_codes"]["refinitiv"] == "VOD.L"
    # The source an agent trained on keeps the code it was asked for.
    assert stored["BRK-B"][1]["symbol"] == "BRK.B"
    assert stored["BRK-B"][1]["vendor_codes"]["csv"] == "BRK-B"
    assert stored["IBM.N"][1]["vendor_codes"]["synthetic"] == "IBM.N"
    assert stored["IBM.N"][1]["mic"] == "XNYS"


def test_0013_backfills_instruments_on_sqlite(tmp_path: Path) -> None:
    _check(asyncio.run(_agents_after_0013(Settings(var_dir=tmp_path, environment="test"))))


def test_0013_backfills_instruments_on_postgres() -> None:
    services_or_skip()
    name = f"atp_mig_{uuid.uuid4().hex[:10]}"
    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        settings = Settings(database_url=postgres_url(name), environment="test")
        _check(asyncio.run(_agents_after_0013(settings)))
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

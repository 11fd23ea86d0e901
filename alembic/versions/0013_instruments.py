"""Instruments: what each agent's symbol resolved to, stored on the agent.

`agents` gains `instrument` (JSON): display symbol, vendor code per source,
exchange MIC, currency, time zone, calendar and tick size (`app.core.instruments`).
Existing rows are backfilled from their symbol, which keeps its value: it is what
their data source was asked for when they trained. A symbol the resolver does not read
(every symbol the old pattern let through is read) keeps what the platform assumed
of every symbol before: a US listing quoted in dollars on New York's calendar.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 04:00:00.000000
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from app.core.instruments import UnknownInstrument, resolve

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def backfilled(symbol: str, data_source: str) -> dict[str, Any]:
    """The instrument of a stored agent; its own source keeps the code it trained on."""
    try:
        instrument = resolve(symbol).to_json()
    except UnknownInstrument:
        instrument = {
            "symbol": symbol,
            "kind": "equity",
            "entered": symbol,
            "vendor_codes": {},
            "mic": None,
            "exchange": "US (composite)",
            "currency": "USD",
            "amount_currency": "USD",
            "price_divisor": 1,
            "timezone": "America/New_York",
            "calendar": "XNYS",
            "tick_size": 0.01,
        }
    instrument["vendor_codes"][data_source] = symbol
    return instrument


def upgrade() -> None:
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("instrument", sa.JSON(), nullable=True))
    agents = sa.table(
        "agents",
        sa.column("id", sa.Uuid()),
        sa.column("symbol", sa.String()),
        sa.column("data_source", sa.String()),
        sa.column("instrument", sa.JSON()),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(agents.c.id, agents.c.symbol, agents.c.data_source)).all()
    for agent_id, symbol, data_source in rows:
        bind.execute(
            agents.update()
            .where(agents.c.id == agent_id)
            .values(instrument=backfilled(symbol, data_source))
        )
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.alter_column("instrument", existing_type=sa.JSON(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.drop_column("instrument")

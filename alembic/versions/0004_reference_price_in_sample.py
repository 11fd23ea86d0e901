"""Outcomes judged from the model's reference close; in-sample calls (SPEC §5a, §6).

`predictions.reference_price` (the close a forecast was made from; null on older
rows, which fall back to `entry_price`) and `predictions.in_sample` (the call's
`as_of` lies inside its version's data; never counted in a track record), and the
span of each version's data, `agent_versions.data_start` / `data_end`.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 09:12:31.540217
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("predictions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reference_price", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column("in_sample", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("agent_versions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("data_start", app.models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("data_end", app.models.base.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("agent_versions", schema=None) as batch_op:
        batch_op.drop_column("data_end")
        batch_op.drop_column("data_start")
    with op.batch_alter_table("predictions", schema=None) as batch_op:
        batch_op.drop_column("in_sample")
        batch_op.drop_column("reference_price")

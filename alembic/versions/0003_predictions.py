"""Predictions: request, answer, agent version, latency, realised outcome (SPEC §6, §8).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 10:54:43.383142
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "predictions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("agent_id", sa.Uuid(), nullable=True),
        sa.Column("agent_version_id", sa.Uuid(), nullable=True),
        sa.Column("user_segment", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("symbol", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("data_source", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("data_frequency", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("prediction_horizon", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("trade_signal", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("direction", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("entry_price", sa.Float(), nullable=False),
        sa.Column("stop_loss", sa.Float(), nullable=False),
        sa.Column("position_size", sa.BigInteger(), nullable=False),
        sa.Column("max_loss", sa.Float(), nullable=False),
        sa.Column("predicted_price", sa.Float(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("as_of", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("target_time", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("cached", sa.Boolean(), nullable=False),
        sa.Column("realised_price", sa.Float(), nullable=True),
        sa.Column("correct", sa.Boolean(), nullable=True),
        sa.Column("realised_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_predictions_agent_id_agents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_predictions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_predictions")),
    )
    with op.batch_alter_table("predictions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_predictions_agent_id"), ["agent_id"], unique=False)
        batch_op.create_index(
            "ix_predictions_pending_outcome", ["realised_at", "target_time"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_predictions_symbol"), ["symbol"], unique=False)
        batch_op.create_index(
            "ix_predictions_user_id_created_at_id", ["user_id", "created_at", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("predictions", schema=None) as batch_op:
        batch_op.drop_index("ix_predictions_user_id_created_at_id")
        batch_op.drop_index(batch_op.f("ix_predictions_symbol"))
        batch_op.drop_index("ix_predictions_pending_outcome")
        batch_op.drop_index(batch_op.f("ix_predictions_agent_id"))

    op.drop_table("predictions")

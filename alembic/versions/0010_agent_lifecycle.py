"""The agent lifecycle after READY: versions as champion and challengers.

`agent_versions` gains what a version was asked to learn (`start_date`, `end_date`,
`window`, `architecture`, which `auto` chooses), how it was judged against the
serving champion (`role`, `decision`), the `auto` leaderboard, and its own failure
(a failed retrain fails the version, not an agent another version serves).
`agents` gains its `retrain_policy` and the reasons it is stale.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agent_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("start_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("end_date", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("window", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
        batch_op.add_column(
            sa.Column("architecture", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
        batch_op.add_column(
            sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
        batch_op.add_column(sa.Column("decision", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("leaderboard", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("failure_stage", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "failure_reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True
            )
        )
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retrain_policy", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("stale_reasons", sa.JSON(), nullable=True))
    # Every READY version that serves today is its agent's champion.
    op.execute(
        "UPDATE agent_versions SET role = 'champion' WHERE id IN "
        "(SELECT serving_version_id FROM agents WHERE serving_version_id IS NOT NULL)"
    )


def downgrade() -> None:
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.drop_column("stale_reasons")
        batch_op.drop_column("retrain_policy")
    with op.batch_alter_table("agent_versions", schema=None) as batch_op:
        for column in (
            "failure_reason",
            "failure_stage",
            "leaderboard",
            "decision",
            "role",
            "architecture",
            "window",
            "end_date",
            "start_date",
        ):
            batch_op.drop_column(column)

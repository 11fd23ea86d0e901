"""Checkpoints of training runs interrupted by a worker's shutdown.

`training_checkpoints` holds, per job, where a run stopped at an epoch boundary
(model and optimizer state, early-stopping state, loss curve: `app.ml.checkpoint`)
so whichever worker claims the job next resumes it, with no shared disk;
`training_jobs.interruptions` counts such stops, apart from `attempts`.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 09:12:40.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("training_jobs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("interruptions", sa.Integer(), server_default="0", nullable=False)
        )
    op.create_table(
        "training_checkpoints",
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["training_jobs.id"],
            name=op.f("fk_training_checkpoints_job_id_training_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_training_checkpoints")),
    )


def downgrade() -> None:
    op.drop_table("training_checkpoints")
    with op.batch_alter_table("training_jobs", schema=None) as batch_op:
        batch_op.drop_column("interruptions")

"""Back-off for training jobs after a transient vendor failure.

`training_jobs.next_attempt_at` (nothing enqueues the job before it) and
`training_jobs.transient_retries` (retries after a vendor's 429, 5xx or timeout,
counted apart from `attempts`, the budget for crashed workers).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 10:02:11.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("training_jobs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("next_attempt_at", app.models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("transient_retries", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("training_jobs", schema=None) as batch_op:
        batch_op.drop_column("transient_retries")
        batch_op.drop_column("next_attempt_at")

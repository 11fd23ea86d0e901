"""Walk-forward evaluation on each version.

`agent_versions.walk_forward`: the rolling-origin folds a version was judged on
(each fold's sample ranges and metrics, and the pooled verdict); null for versions
trained before, or with walk-forward switched off.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 00:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agent_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("walk_forward", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agent_versions", schema=None) as batch_op:
        batch_op.drop_column("walk_forward")

"""`Idempotency-Key` on retrains: a key row remembers the version its request queued.

`idempotency_keys` gains `version_id` (a creation's first version, a retrain's
challenger) and `events_after_id` (where a retrain's `events_url` starts), so a
replay answers the same version and stream as the first request. Keys stored before
this revision were all creations: their version is the agent's first.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 03:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("events_after_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE idempotency_keys SET version_id = (SELECT agent_versions.id FROM agent_versions "
        "WHERE agent_versions.agent_id = idempotency_keys.agent_id "
        "AND agent_versions.number = 1) WHERE agent_id IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_column("events_after_id")
        batch_op.drop_column("version_id")

"""Bar store and artifact store: no shared volume between machines (SPEC §8).

`bars` holds downloaded vendor bars per (source, symbol, frequency) and
`bar_coverage` the one contiguous range of bar starts held for each series, so a
job tops up only what is new; `artifact_files` holds each version's artifact files
(weights, preprocessing, calibration), so any API process can load a version.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 21:25:30.617031
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bar_coverage",
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("symbol", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("frequency", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("start", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("end", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", "symbol", "frequency", name=op.f("pk_bar_coverage")),
    )
    op.create_table(
        "bars",
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("symbol", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("frequency", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("timestamp", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("open", sa.Float(), nullable=False),
        sa.Column("high", sa.Float(), nullable=False),
        sa.Column("low", sa.Float(), nullable=False),
        sa.Column("close", sa.Float(), nullable=False),
        sa.Column("volume", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("source", "symbol", "frequency", "timestamp", name=op.f("pk_bars")),
    )
    op.create_table(
        "artifact_files",
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["agent_versions.id"],
            name=op.f("fk_artifact_files_version_id_agent_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("version_id", "name", name=op.f("pk_artifact_files")),
    )


def downgrade() -> None:
    op.drop_table("artifact_files")
    op.drop_table("bars")
    op.drop_table("bar_coverage")

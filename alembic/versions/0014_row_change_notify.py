"""PostgreSQL: a notification on `row_changes` after each committed write to users,
token revocations or agents, so each API process drops the rows it keeps of them.

A statement-level trigger per table sends the table's name; PostgreSQL delivers it
only once the transaction commits, and folds repeats within one transaction. SQLite
has nothing to add: there the connection itself bumps the change stamp.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28 18:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in app.change_stamp (a migration does not import the app's runtime modules).
CHANNEL = "row_changes"
TABLES = ("users", "token_revocations", "agents")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"""
        CREATE FUNCTION notify_row_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME);
            RETURN NULL;
        END
        $$
        """
    )
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION notify_row_change()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER {table}_changed ON {table}")
    op.execute("DROP FUNCTION notify_row_change()")

"""Making an engine must never release the SQLite locks the process already holds.

POSIX locks belong to the process: closing any descriptor of the database file drops
them all, so code that opens and closes the file while a connection holds a lock lets
another process write under that connection's feet (SQLite's "how to corrupt a
database" lists it). The embedded runner builds a second engine in the API process.
"""

from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

from app.db import private_sqlite_file

PROBE = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], timeout=0)
try:
    connection.execute("BEGIN IMMEDIATE")
except sqlite3.OperationalError as exc:
    print("locked" if "locked" in str(exc) else f"error: {exc}")
else:
    print("acquired")
"""


def _other_process_can_write(path: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(path)], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_a_held_lock_survives_another_engine_being_made(tmp_path: Path) -> None:
    path = tmp_path / "platform.db"
    url = f"sqlite+aiosqlite:///{path}"
    private_sqlite_file(url)  # creates it 0600
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")  # the RESERVED lock: no other writer
    holder.execute("INSERT INTO t VALUES (1)")
    try:
        assert _other_process_can_write(path) == "locked"
        private_sqlite_file(url)  # what every make_engine does
        assert _other_process_can_write(path) == "locked"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert _other_process_can_write(path) == "acquired"

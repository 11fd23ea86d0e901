"""Regenerate the typed Python client in clients/python from the app's OpenAPI document.

    ./scripts/generate-client                    # rewrites clients/python in place
    .venv/bin/python scripts/generate_client.py --into DIR   # the same files under DIR

It writes `openapi.json` (`create_app().openapi()`: no server, no database) and the
`ai_trading_platform_client` package that openapi-python-client generates from it with
clients/python/openapi-python-client.yaml, failing on any generator warning. The
package is generated into a temporary folder and only then replaces the old one, so
a file the schema no longer produces disappears and a failed run changes nothing.
tests/test_generated_client.py runs this with `--into` a temporary folder and fails
when the result differs from what is committed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLIENT_DIR = ROOT / "clients" / "python"
PACKAGE = "ai_trading_platform_client"
CONFIG = CLIENT_DIR / "openapi-python-client.yaml"


def schema_text() -> str:
    """The served OpenAPI document, as this checkout's app builds it."""
    sys.path.insert(0, str(ROOT))  # this checkout's app, whatever is installed
    from app.main import create_app

    schema = create_app().openapi()
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def generate(into: Path) -> None:
    """Write `openapi.json` and the generated package under `into`."""
    into.mkdir(parents=True, exist_ok=True)
    document = into / "openapi.json"
    document.write_text(schema_text(), encoding="utf-8")
    # The post-hooks call `ruff`: this interpreter's, not whichever is first on PATH.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / PACKAGE
        result = subprocess.run(  # noqa: S603 (a fixed command line)
            [
                sys.executable,
                "-m",
                "openapi_python_client",
                "generate",
                "--path",
                str(document),
                "--output-path",
                str(output),
                "--meta",
                "none",
                "--config",
                str(CONFIG),
                "--fail-on-warning",
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "PATH": path},
            check=False,
        )
        if result.returncode != 0:
            sys.exit(f"openapi-python-client failed:\n{result.stdout}{result.stderr}")
        # PEP 561: the package's own annotations are what type checkers read
        # (--meta none writes no marker).
        (output / "py.typed").write_text("# Marker file for PEP 561\n", encoding="utf-8")
        shutil.rmtree(into / PACKAGE, ignore_errors=True)
        shutil.copytree(output, into / PACKAGE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--into",
        type=Path,
        default=CLIENT_DIR,
        help="the folder that receives openapi.json and the package (default: clients/python)",
    )
    generate(parser.parse_args().into.resolve())


if __name__ == "__main__":
    main()

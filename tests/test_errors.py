"""`ErrorCode` lists every `error.code` an answer can carry.

Clients switch on the code and the OpenAPI document offers only `ErrorCode`'s
members, so a domain error or an edge handler with a code missing from it would
send clients a value their generated enum cannot hold.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import app
import app.main  # imports every module reachable from the app, and so its errors
from app.errors import DomainError, ErrorCode
from app.exception_handlers import _HTTP_CODES

APP_DIR = Path(app.__file__).parent


def _subclasses(cls: type[DomainError]) -> Iterator[type[DomainError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_domain_error_code_is_an_error_code() -> None:
    classes = [DomainError, *_subclasses(DomainError)]
    # The walk reaches the services' own errors, not only app.errors'.
    assert {cls.__module__ for cls in classes} - {"app.errors"}
    codes = {f"{cls.__module__}.{cls.__qualname__}": cls.code for cls in classes}
    assert {name: code for name, code in codes.items() if code not in set(ErrorCode)} == {}


def test_every_code_the_edge_writes_is_an_error_code() -> None:
    assert set(_HTTP_CODES.values()) <= set(ErrorCode)
    assert "error" in set(ErrorCode)  # a status the edge has no name for


def _literal_codes() -> Iterator[tuple[str, int, str]]:
    """String codes passed to `error_json(status, code, ...)` or `ErrorBody(code=...)`."""
    for path in sorted(APP_DIR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            candidates: list[ast.expr] = []
            if name == "error_json" and len(node.args) >= 2:
                candidates.append(node.args[1])
            if name in {"error_json", "ErrorBody"}:
                candidates += [kw.value for kw in node.keywords if kw.arg == "code"]
            for arg in candidates:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    yield str(path.relative_to(APP_DIR)), node.lineno, arg.value


def test_every_literal_code_in_the_app_is_an_error_code() -> None:
    found = list(_literal_codes())
    assert found  # the scan sees the edge's own codes (e.g. headers_too_large)
    assert [hit for hit in found if hit[2] not in set(ErrorCode)] == []

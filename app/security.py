"""Password hashing and JWTs, in one small module.

The design card names python-jose; every token call goes through here (HS256
pinned on decode, `exp`/`iat`/`jti`/`sub` required) so a later swap to another
JWT library touches nothing else. Argon2id runs in a thread: at 19 MiB it takes
tens of milliseconds, far too long to hold the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from calendar import timegm
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from jose import JWTError, jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from app.errors import Unauthorized

ALGORITHM = "HS256"
TokenType = Literal["access", "refresh"]
logger = logging.getLogger(__name__)


def unauthorized(cause: str) -> Unauthorized:
    """The one 401 every rejected credential gets (a client learns nothing about why:
    revoked, expired, tampered or a deleted account); the cause goes to the log."""
    logger.info("credentials refused: %s", cause)
    return Unauthorized()


# OWASP's Argon2id minimum: m = 19 MiB, t = 2, p = 1.
_hasher = PasswordHash((Argon2Hasher(memory_cost=19 * 1024, time_cost=2, parallelism=1),))
# Verified against when the e-mail is unknown, so timing does not reveal accounts.
_DUMMY_HASH = _hasher.hash("dummy-password-for-timing")


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password: str, hashed: str | None) -> tuple[bool, str | None]:
    """(valid, upgraded hash or None); an unknown user still costs one verification."""
    if hashed is None:
        await asyncio.to_thread(_hasher.verify, password, _DUMMY_HASH)
        return False, None
    return await asyncio.to_thread(_hasher.verify_and_update, password, hashed)


@dataclass(frozen=True)
class TokenClaims:
    sub: str
    jti: str
    type: TokenType
    family: str
    issued_at: datetime
    expires_at: datetime


def create_token(
    *,
    secret: str,
    subject: str,
    token_type: TokenType,
    family: str,
    ttl: timedelta,
) -> tuple[str, TokenClaims]:
    now = datetime.now(UTC).replace(microsecond=0)
    claims = TokenClaims(
        sub=subject,
        jti=uuid.uuid4().hex,
        type=token_type,
        family=family,
        issued_at=now,
        expires_at=now + ttl,
    )
    payload: dict[str, Any] = {
        "sub": claims.sub,
        "jti": claims.jti,
        "type": claims.type,
        "fam": claims.family,
        "iat": int(now.timestamp()),
        "exp": int(claims.expires_at.timestamp()),
    }
    return jwt.encode(payload, secret, algorithm=ALGORITHM), claims


# Access tokens verified lately, by (key, type, token): a bearer sent on every call is
# verified once. The signature and the claims are fixed by the token's bytes and the
# key; only the clock moves, so a hit checks `exp` exactly as python-jose does (an
# integer second, no leeway) and an expired one goes through the full decode again,
# which refuses it as before. Bounded: the least recently used go first.
_VERIFIED: OrderedDict[tuple[str, str, str], tuple[TokenClaims, int]] = OrderedDict()
_VERIFIED_MAX = 4096


def decode_token(token: str, *, secret: str, expected_type: TokenType) -> TokenClaims:
    """Verified claims, or `Unauthorized` — never a hint of which check failed."""
    key = (secret, expected_type, token)
    hit = _VERIFIED.get(key)
    if hit is not None:
        claims, exp = hit
        if exp >= timegm(datetime.now(UTC).utctimetuple()):
            _VERIFIED.move_to_end(key)
            return claims
        del _VERIFIED[key]
    claims, exp = _decode_token(token, secret=secret, expected_type=expected_type)
    _VERIFIED[key] = (claims, exp)
    if len(_VERIFIED) > _VERIFIED_MAX:
        _VERIFIED.popitem(last=False)
    return claims


def _decode_token(token: str, *, secret: str, expected_type: TokenType) -> tuple[TokenClaims, int]:
    """The full check: header, HS256 signature, required claims, expiry, type."""
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != ALGORITHM:
            raise unauthorized(f"algorithm {str(header.get('alg'))[:16]!r} is not {ALGORITHM}")
        payload = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            options={
                "require_exp": True,
                "require_iat": True,
                "require_jti": True,
                "require_sub": True,
                "verify_aud": False,
            },
        )
    except JWTError as exc:
        raise unauthorized(f"invalid or expired token ({type(exc).__name__})") from None
    if payload.get("type") != expected_type or not isinstance(payload.get("fam"), str):
        article = "an" if expected_type == "access" else "a"
        raise unauthorized(f"{article} {expected_type} token is required")
    exp = int(payload["exp"])
    claims = TokenClaims(
        sub=str(payload["sub"]),
        jti=str(payload["jti"]),
        type=expected_type,
        family=payload["fam"],
        issued_at=datetime.fromtimestamp(int(payload["iat"]), UTC),
        expires_at=datetime.fromtimestamp(exp, UTC),
    )
    return claims, exp


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Stream tokens: what a browser's EventSource (which cannot send `Authorization`) puts
# in `?token=` on one agent's events URL. Their own `type` and audience, so neither an
# access token works there nor a stream token as a bearer; one agent; short-lived; and
# single-use (the `jti` is spent on first use, services/stream_tokens.py). They carry
# the access token's `jti`, family and expiry: the stream they open ends on its logout
# or expiry, exactly as a bearer-opened stream does.
STREAM_TOKEN_TYPE = "stream"  # noqa: S105 (a token type, not a secret)
STREAM_AUDIENCE = "atp:agent-events"


@dataclass(frozen=True)
class StreamClaims:
    sub: str
    jti: str
    agent_id: str
    parent_jti: str
    family: str
    expires_at: datetime
    parent_expires_at: datetime


def create_stream_token(
    *, secret: str, parent: TokenClaims, agent_id: str, ttl: timedelta
) -> tuple[str, StreamClaims]:
    """A stream token for one agent, never outliving the access token it came from."""
    now = datetime.now(UTC).replace(microsecond=0)
    claims = StreamClaims(
        sub=parent.sub,
        jti=uuid.uuid4().hex,
        agent_id=agent_id,
        parent_jti=parent.jti,
        family=parent.family,
        expires_at=min(now + ttl, parent.expires_at),
        parent_expires_at=parent.expires_at,
    )
    payload: dict[str, Any] = {
        "sub": claims.sub,
        "jti": claims.jti,
        "type": STREAM_TOKEN_TYPE,
        "aud": STREAM_AUDIENCE,
        "agent": claims.agent_id,
        "pjti": claims.parent_jti,
        "fam": claims.family,
        "pexp": int(claims.parent_expires_at.timestamp()),
        "iat": int(now.timestamp()),
        "exp": int(claims.expires_at.timestamp()),
    }
    return jwt.encode(payload, secret, algorithm=ALGORITHM), claims


def decode_stream_token(token: str, *, secret: str) -> StreamClaims:
    """Verified stream-token claims, or the one `Unauthorized`."""
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != ALGORITHM:
            raise unauthorized(f"algorithm {str(header.get('alg'))[:16]!r} is not {ALGORITHM}")
        payload = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=STREAM_AUDIENCE,
            options={
                "require_exp": True,
                "require_iat": True,
                "require_jti": True,
                "require_sub": True,
                "require_aud": True,
            },
        )
    except JWTError as exc:
        raise unauthorized(f"invalid or expired stream token ({type(exc).__name__})") from None
    fields = ("agent", "pjti", "fam")
    if (
        payload.get("type") != STREAM_TOKEN_TYPE
        or payload.get("aud") != STREAM_AUDIENCE
        or not all(isinstance(payload.get(name), str) for name in fields)
        or not isinstance(payload.get("pexp"), int)
    ):
        raise unauthorized("a stream token is required")
    return StreamClaims(
        sub=str(payload["sub"]),
        jti=str(payload["jti"]),
        agent_id=payload["agent"],
        parent_jti=payload["pjti"],
        family=payload["fam"],
        expires_at=datetime.fromtimestamp(int(payload["exp"]), UTC),
        parent_expires_at=datetime.fromtimestamp(payload["pexp"], UTC),
    )

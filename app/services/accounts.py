"""Accounts: registration, login, token rotation, logout.

Refresh tokens rotate on every use (RFC 9700 §4.14): each is single-use, claimed
by a conditional `UPDATE … WHERE used_at IS NULL`, and a second use of a spent
token means it was stolen, so its whole family is revoked.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.config import Settings
from app.errors import Conflict, RateLimited, Unauthorized
from app.models import RefreshToken, User
from app.models.base import utcnow
from app.schemas.users import UserCreate, UserUpdate
from app.security import (
    TokenClaims,
    create_token,
    decode_token,
    hash_password,
    token_digest,
    unauthorized,
    verify_password,
)
from app.services import audit
from app.services.audit import ClientInfo
from app.services.login_throttle import LoginThrottle
from app.services.revocation import RevocationStore, family_key


class EmailTaken(Conflict):
    code = "email_taken"
    message = "An account with this e-mail already exists."


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"
    message = "Incorrect e-mail or password."
    commit_session = True  # keep the failed-login audit row


class LoginThrottled(RateLimited):
    code = "login_throttled"
    message = "Too many failed logins for this account; retry later."
    commit_session = True  # keep the audit row

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(
            f"Too many failed logins for this account; retry in {retry_after_s} s.",
            headers={"Retry-After": str(retry_after_s)},
        )


class RefreshTokenReused(Unauthorized):
    code = "refresh_token_reused"
    message = "This refresh token was already used; its session has been revoked."
    commit_session = True  # keep the family revocation and its audit row


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


async def register(session: AsyncSession, data: UserCreate, client: ClientInfo) -> User:
    if await session.scalar(select(col(User.id)).where(col(User.email) == data.email)) is not None:
        raise EmailTaken()
    user = User(
        email=data.email,
        full_name=data.full_name,
        user_segment=data.user_segment,
        account_equity=data.account_equity,
        hashed_password=await hash_password(data.password),
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError:  # a concurrent registration won the race
        raise EmailTaken() from None
    await audit.record(session, "user.register", client, user.id)
    return user


async def login(
    session: AsyncSession,
    settings: Settings,
    email: str,
    password: str,
    client: ClientInfo,
    throttle: LoginThrottle | None = None,
) -> TokenPair:
    """Tokens for a right password. An account (known or not: the answer must not tell)
    with too many failures in a row waits before its next password is even checked."""
    if throttle is not None:
        wait_s = await throttle.retry_after_s(email)
        if wait_s > 0:
            await audit.record(session, "auth.login_throttled", client, None, email=email[:254])
            raise LoginThrottled(wait_s)
    user = await session.scalar(select(User).where(col(User.email) == email.strip().lower()))
    valid, upgraded = await verify_password(password, user.hashed_password if user else None)
    if user is None or not valid or not user.is_active:
        await audit.record(
            session, "auth.login_failed", client, user.id if user else None, email=email[:254]
        )
        if throttle is not None:
            await throttle.failed(email)
        raise InvalidCredentials()
    if throttle is not None:
        await throttle.succeeded(email)
    if upgraded:
        user.hashed_password = upgraded
    await audit.record(session, "auth.login", client, user.id)
    return await _issue(session, settings, user.id, family=uuid.uuid4())


async def refresh(
    session: AsyncSession,
    settings: Settings,
    revocations: RevocationStore,
    refresh_token: str,
    client: ClientInfo,
) -> TokenPair:
    claims = decode_token(refresh_token, secret=settings.jwt_secret(), expected_type="refresh")
    now = utcnow()
    claimed = await session.execute(
        update(RefreshToken)
        .where(col(RefreshToken.token_hash) == token_digest(refresh_token))
        .where(col(RefreshToken.used_at).is_(None))
        .where(col(RefreshToken.revoked_at).is_(None))
        .where(col(RefreshToken.expires_at) > now)
        .values(used_at=now)
        .returning(col(RefreshToken.user_id), col(RefreshToken.family_id))
    )
    row = claimed.first()
    if row is None:
        stored = await session.scalar(
            select(RefreshToken).where(col(RefreshToken.token_hash) == token_digest(refresh_token))
        )
        if stored is None or stored.used_at is None:  # unknown, expired or logged out
            raise unauthorized("the refresh token is unknown, expired or logged out")
        await _revoke_family(session, settings, revocations, claims)
        await audit.record(
            session, "auth.refresh_reuse", client, stored.user_id, family=claims.family
        )
        raise RefreshTokenReused()
    user_id, family_id = row
    if await revocations.is_revoked([family_key(str(family_id))]):
        raise unauthorized("the refresh token's session has been revoked")
    return await _issue(session, settings, user_id, family=family_id)


async def logout(
    session: AsyncSession,
    settings: Settings,
    revocations: RevocationStore,
    claims: TokenClaims,
    client: ClientInfo,
) -> None:
    """Kill the access token by `jti` and its refresh family, on every replica."""
    await revocations.revoke(session, [claims.jti], claims.expires_at)
    await _revoke_family(session, settings, revocations, claims)
    await audit.record(session, "auth.logout", client, _uuid_or_none(claims.sub))


async def update_me(session: AsyncSession, user: User, changes: UserUpdate) -> User:
    # exclude_unset: a PATCH only touches what it names (and UserUpdate names no
    # owner-only field, so mass assignment cannot reach e-mail or password).
    for field, value in changes.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(user, field, value)
    user.updated_at = utcnow()
    session.add(user)
    await session.flush()
    return user


async def _issue(
    session: AsyncSession,
    settings: Settings,
    user_id: uuid.UUID,
    family: uuid.UUID,
) -> TokenPair:
    secret = settings.jwt_secret()
    access, _ = create_token(
        secret=secret,
        subject=str(user_id),
        token_type="access",
        family=str(family),
        ttl=timedelta(seconds=settings.access_token_ttl_s),
    )
    refresh_token, claims = create_token(
        secret=secret,
        subject=str(user_id),
        token_type="refresh",
        family=str(family),
        ttl=timedelta(seconds=settings.refresh_token_ttl_s),
    )
    session.add(
        RefreshToken(
            user_id=user_id,
            family_id=family,
            token_hash=token_digest(refresh_token),
            expires_at=claims.expires_at,
        )
    )
    await session.flush()
    return TokenPair(access, refresh_token, settings.access_token_ttl_s)


async def _revoke_family(
    session: AsyncSession,
    settings: Settings,
    revocations: RevocationStore,
    claims: TokenClaims,
) -> None:
    family = _uuid_or_none(claims.family)
    if family is not None:
        await session.execute(
            update(RefreshToken)
            .where(col(RefreshToken.family_id) == family)
            .where(col(RefreshToken.revoked_at).is_(None))
            .values(revoked_at=utcnow())
        )
    # Access tokens of the family live at most one access TTL past now.
    until = utcnow() + timedelta(
        seconds=max(settings.access_token_ttl_s, settings.refresh_token_ttl_s)
    )
    await revocations.revoke(session, [family_key(claims.family)], until)


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None

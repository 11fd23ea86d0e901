"""Accounts over HTTP: parse, call `services.accounts`, shape the answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Response, status

from app.deps import (
    ClientDep,
    CurrentUser,
    DefaultRateLimit,
    RuntimeDep,
    SessionDep,
    TokenDep,
    login_rate_limit,
)
from app.errors import InvalidRequest, UnsupportedGrantType, error_responses
from app.schemas.auth import (
    LoginForm,
    RefreshForm,
    RefreshRequest,
    TokenResponse,
    WebhookSecret,
)
from app.schemas.users import UserCreate, UserPublic, UserUpdate
from app.services import accounts

router = APIRouter(prefix="/auth", tags=["auth"])


def _tokens(pair: accounts.TokenPair) -> TokenResponse:
    return TokenResponse(
        access_token=pair.access_token, refresh_token=pair.refresh_token, expires_in=pair.expires_in
    )


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=UserPublic,
    operation_id="register",
    dependencies=[Depends(login_rate_limit)],
    responses=error_responses(400, 409, 413, 422, 429, 503),
)
async def register(data: UserCreate, session: SessionDep, client: ClientDep) -> UserPublic:
    user = await accounts.register(session, data, client)
    return UserPublic.model_validate(user, from_attributes=True)


@router.post(
    "/login",
    response_model=TokenResponse,
    operation_id="login",
    dependencies=[Depends(login_rate_limit)],
    responses=error_responses(400, 401, 413, 422, 429, 503),
)
async def login(
    form: Annotated[LoginForm, Form()],
    session: SessionDep,
    runtime: RuntimeDep,
    client: ClientDep,
) -> TokenResponse:
    """OAuth2 password form (`username` is the e-mail), so Swagger's *Authorize* works.
    429 `login_throttled` after repeated failures for the account (a capped back-off)."""
    pair = await accounts.login(
        session,
        runtime.settings,
        form.username,
        form.password,
        client,
        throttle=runtime.login_throttle,
    )
    return _tokens(pair)


@router.post(
    "/refresh",
    response_model=TokenResponse,
    operation_id="refresh_token",
    dependencies=[Depends(login_rate_limit)],
    responses=error_responses(400, 401, 413, 422, 429, 503),
)
async def refresh(
    body: RefreshRequest,
    session: SessionDep,
    runtime: RuntimeDep,
    client: ClientDep,
) -> TokenResponse:
    pair = await accounts.refresh(
        session, runtime.settings, runtime.revocations, body.refresh_token, client
    )
    return _tokens(pair)


@router.post(
    "/token",
    response_model=TokenResponse,
    operation_id="refresh_token_grant",
    dependencies=[Depends(login_rate_limit)],
    responses=error_responses(400, 401, 413, 422, 429, 503),
)
async def token(
    form: Annotated[RefreshForm, Form()],
    session: SessionDep,
    runtime: RuntimeDep,
    client: ClientDep,
) -> TokenResponse:
    """OAuth2's refresh grant as a form (`grant_type=refresh_token&refresh_token=…`),
    the security scheme's `refreshUrl`: the same rotation and reuse detection as
    `POST /auth/refresh`. Another `grant_type` is a 400 `unsupported_grant_type`."""
    if form.grant_type != "refresh_token":
        raise UnsupportedGrantType(details={"grant_type": form.grant_type})
    if not form.refresh_token:
        raise InvalidRequest("refresh_token is required.", details={"missing": "refresh_token"})
    pair = await accounts.refresh(
        session, runtime.settings, runtime.revocations, form.refresh_token, client
    )
    return _tokens(pair)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="logout",
    response_class=Response,
    responses=error_responses(401, 503),
)
async def logout(
    claims: TokenDep,
    session: SessionDep,
    runtime: RuntimeDep,
    client: ClientDep,
) -> Response:
    await accounts.logout(session, runtime.settings, runtime.revocations, claims, client)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/me",
    response_model=UserPublic,
    operation_id="get_me",
    dependencies=[DefaultRateLimit],
    responses=error_responses(401, 429, 503),
)
async def me(user: CurrentUser) -> UserPublic:
    return UserPublic.model_validate(user, from_attributes=True)


@router.patch(
    "/me",
    response_model=UserPublic,
    operation_id="update_me",
    dependencies=[DefaultRateLimit],
    responses=error_responses(400, 401, 413, 422, 429, 503),
)
async def update_me(changes: UserUpdate, user: CurrentUser, session: SessionDep) -> UserPublic:
    return UserPublic.model_validate(
        await accounts.update_me(session, user, changes), from_attributes=True
    )


@router.get(
    "/me/webhook-secret",
    response_model=WebhookSecret,
    operation_id="get_webhook_secret",
    dependencies=[DefaultRateLimit],
    responses=error_responses(401, 429, 503),
)
async def webhook_secret(user: CurrentUser) -> WebhookSecret:
    """The key that signs this user's `callback_url` deliveries."""
    return WebhookSecret(webhook_secret=user.webhook_secret)

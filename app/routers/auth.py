"""Accounts over HTTP: parse, call `services.accounts`, shape the answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response, status

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
from app.routers.links import link
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
    summary="Create an account",
    dependencies=[Depends(login_rate_limit)],
    responses={
        201: {
            "description": "Created: the account, without its password",
            "headers": {
                "Location": {
                    "description": "The account's URL, `GET /auth/me` (read it with the "
                    "account's bearer): absolute from `PUBLIC_BASE_URL` when set, else a path.",
                    "required": True,
                    "schema": {"type": "string"},
                }
            },
        },
        **error_responses(400, 409, 413, 422, 429, 503),
    },
)
async def register(
    data: UserCreate,
    request: Request,
    response: Response,
    session: SessionDep,
    runtime: RuntimeDep,
    client: ClientDep,
) -> UserPublic:
    """Open an account with an e-mail, a password and a `user_segment` (short-term
    trader, investor, manager or quant: it decides the dashboard and which advanced
    agent preferences you may set). No token is issued: log in next.

    Errors: 409 `email_taken`; 422 for an invalid e-mail or a password outside the
    length limits; 429 past the per-address `login` quota."""
    user = await accounts.register(session, data, client)
    response.headers["Location"] = link(request, runtime.settings, "me")
    return UserPublic.model_validate(user, from_attributes=True)


@router.post(
    "/login",
    response_model=TokenResponse,
    operation_id="login",
    summary="Log in: an access and a refresh token",
    dependencies=[Depends(login_rate_limit)],
    responses=error_responses(400, 401, 413, 422, 429, 503),
)
async def login(
    form: Annotated[LoginForm, Form()],
    session: SessionDep,
    runtime: RuntimeDep,
    client: ClientDep,
) -> TokenResponse:
    """Exchange e-mail and password for a bearer access token (`expires_in` seconds) and
    a refresh token. An OAuth2 password form (`username` is the e-mail), so Swagger's
    *Authorize* works.

    Errors: 401 `invalid_credentials` for a wrong e-mail or password (the same either
    way); 429 `login_throttled` after repeated failures for the account (a capped
    back-off, `Retry-After` says how long) or past the per-address `login` quota."""
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
    summary="Refresh: a new token pair for a refresh token",
    dependencies=[Depends(login_rate_limit)],
    responses=error_responses(400, 401, 413, 422, 429, 503),
)
async def refresh(
    body: RefreshRequest,
    session: SessionDep,
    runtime: RuntimeDep,
    client: ClientDep,
) -> TokenResponse:
    """Spend a refresh token (JSON body) for a new access and refresh token: refresh
    tokens rotate, each works once.

    Errors: 401 for an unknown, expired or logged-out refresh token, and 401
    `refresh_token_reused` when one is presented a second time: that whole session is
    then revoked (a stolen token is detected), so log in again."""
    pair = await accounts.refresh(
        session, runtime.settings, runtime.revocations, body.refresh_token, client
    )
    return _tokens(pair)


@router.post(
    "/token",
    response_model=TokenResponse,
    operation_id="refresh_token_grant",
    summary="Refresh as an OAuth2 refresh_token grant (form)",
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
    `POST /auth/refresh`.

    Errors: 400 `unsupported_grant_type` for another `grant_type`, 400
    `invalid_request` without `refresh_token`; 401 as for `POST /auth/refresh`."""
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
    summary="Log out: revoke this session's tokens",
    response_class=Response,
    responses=error_responses(401, 503),
)
async def logout(
    claims: TokenDep,
    session: SessionDep,
    runtime: RuntimeDep,
    client: ClientDep,
) -> Response:
    """Revoke the access token sent and every token of its session (the refresh token
    included); event streams opened with them end. Other sessions (logins elsewhere)
    keep working. Answers 204.

    Errors: 401 for a token already revoked, expired or invalid."""
    await accounts.logout(session, runtime.settings, runtime.revocations, claims, client)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/me",
    response_model=UserPublic,
    operation_id="get_me",
    summary="Get your account",
    dependencies=[DefaultRateLimit],
    responses=error_responses(401, 429, 503),
)
async def me(user: CurrentUser) -> UserPublic:
    """Your account: id, e-mail, name, `user_segment` and `account_equity` (which
    position sizes are computed from); never the password or the webhook secret.

    Errors: 401 for a missing, expired or revoked token, or a disabled account."""
    return UserPublic.model_validate(user, from_attributes=True)


@router.patch(
    "/me",
    response_model=UserPublic,
    operation_id="update_me",
    summary="Update your account",
    dependencies=[DefaultRateLimit],
    responses=error_responses(400, 401, 413, 422, 429, 503),
)
async def update_me(changes: UserUpdate, user: CurrentUser, session: SessionDep) -> UserPublic:
    """Change the fields sent (`full_name`, `user_segment`, which switches your
    dashboard and the agent preferences you may set, `account_equity`); the others
    stay. Answers the account.

    Errors: 422 for an invalid value or a field that cannot be changed here, such as
    `email` (each named in `details`)."""
    return UserPublic.model_validate(
        await accounts.update_me(session, user, changes), from_attributes=True
    )


@router.get(
    "/me/webhook-secret",
    response_model=WebhookSecret,
    operation_id="get_webhook_secret",
    summary="Get your webhook signing secret",
    dependencies=[DefaultRateLimit],
    responses=error_responses(401, 429, 503),
)
async def webhook_secret(user: CurrentUser) -> WebhookSecret:
    """The key that signs your agents' `callback_url` deliveries: each POST carries
    `X-Signature: t=<unix seconds>,v1=<hex>`, hex being HMAC-SHA256(this secret,
    `"<t>.<raw body>"`). Verify it, and reject an old `t`, before trusting a delivery.

    Errors: 401 without a valid access token."""
    return WebhookSecret(webhook_secret=user.webhook_secret)

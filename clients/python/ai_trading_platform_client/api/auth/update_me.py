from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.user_public import UserPublic
from ...models.user_update import UserUpdate
from ...types import UNSET, Response


def _get_kwargs(
    *,
    body: UserUpdate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/api/v1/auth/me",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | UserPublic | None:
    if response.status_code == 200:
        response_200 = UserPublic.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 413:
        response_413 = ErrorResponse.from_dict(response.json())

        return response_413

    if response.status_code == 422:
        response_422 = ErrorResponse.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = ErrorResponse.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = ErrorResponse.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | UserPublic]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: UserUpdate,
) -> Response[ErrorResponse | UserPublic]:
    """Update your account

     Change the fields sent (`full_name`, `user_segment`, which switches your
    dashboard and the agent preferences you may set, `account_equity`); the others
    stay. Answers the account.

    Errors: 422 for an invalid value or a field that cannot be changed here, such as
    `email` (each named in `details`).

    Args:
        body (UserUpdate): What a user may change about themselves; e-mail and owner-only fields
            are not here
            (and sending one is a 422 naming it).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | UserPublic]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: UserUpdate,
) -> ErrorResponse | UserPublic | None:
    """Update your account

     Change the fields sent (`full_name`, `user_segment`, which switches your
    dashboard and the agent preferences you may set, `account_equity`); the others
    stay. Answers the account.

    Errors: 422 for an invalid value or a field that cannot be changed here, such as
    `email` (each named in `details`).

    Args:
        body (UserUpdate): What a user may change about themselves; e-mail and owner-only fields
            are not here
            (and sending one is a 422 naming it).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | UserPublic
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: UserUpdate,
) -> Response[ErrorResponse | UserPublic]:
    """Update your account

     Change the fields sent (`full_name`, `user_segment`, which switches your
    dashboard and the agent preferences you may set, `account_equity`); the others
    stay. Answers the account.

    Errors: 422 for an invalid value or a field that cannot be changed here, such as
    `email` (each named in `details`).

    Args:
        body (UserUpdate): What a user may change about themselves; e-mail and owner-only fields
            are not here
            (and sending one is a 422 naming it).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | UserPublic]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: UserUpdate,
) -> ErrorResponse | UserPublic | None:
    """Update your account

     Change the fields sent (`full_name`, `user_segment`, which switches your
    dashboard and the agent preferences you may set, `account_equity`); the others
    stay. Answers the account.

    Errors: 422 for an invalid value or a field that cannot be changed here, such as
    `email` (each named in `details`).

    Args:
        body (UserUpdate): What a user may change about themselves; e-mail and owner-only fields
            are not here
            (and sending one is a 422 naming it).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | UserPublic
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed

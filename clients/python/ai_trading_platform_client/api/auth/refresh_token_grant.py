from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.refresh_form import RefreshForm
from ...models.token_response import TokenResponse
from ...types import UNSET, Response


def _get_kwargs(
    *,
    body: RefreshForm,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/auth/token",
    }

    _kwargs["data"] = body.to_dict()
    headers["Content-Type"] = "application/x-www-form-urlencoded"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | TokenResponse | None:
    if response.status_code == 200:
        response_200 = TokenResponse.from_dict(response.json())

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
) -> Response[ErrorResponse | TokenResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: RefreshForm,
) -> Response[ErrorResponse | TokenResponse]:
    """Refresh as an OAuth2 refresh_token grant (form)

     OAuth2's refresh grant as a form (`grant_type=refresh_token&refresh_token=…`),
    the security scheme's `refreshUrl`: the same rotation and reuse detection as
    `POST /auth/refresh`.

    Errors: 400 `unsupported_grant_type` for another `grant_type`, 400
    `invalid_request` without `refresh_token`; 401 as for `POST /auth/refresh`.

    Args:
        body (RefreshForm): OAuth2's refresh grant (RFC 6749 §6) as a form:
            `grant_type=refresh_token`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | TokenResponse]
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
    client: AuthenticatedClient | Client,
    body: RefreshForm,
) -> ErrorResponse | TokenResponse | None:
    """Refresh as an OAuth2 refresh_token grant (form)

     OAuth2's refresh grant as a form (`grant_type=refresh_token&refresh_token=…`),
    the security scheme's `refreshUrl`: the same rotation and reuse detection as
    `POST /auth/refresh`.

    Errors: 400 `unsupported_grant_type` for another `grant_type`, 400
    `invalid_request` without `refresh_token`; 401 as for `POST /auth/refresh`.

    Args:
        body (RefreshForm): OAuth2's refresh grant (RFC 6749 §6) as a form:
            `grant_type=refresh_token`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | TokenResponse
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: RefreshForm,
) -> Response[ErrorResponse | TokenResponse]:
    """Refresh as an OAuth2 refresh_token grant (form)

     OAuth2's refresh grant as a form (`grant_type=refresh_token&refresh_token=…`),
    the security scheme's `refreshUrl`: the same rotation and reuse detection as
    `POST /auth/refresh`.

    Errors: 400 `unsupported_grant_type` for another `grant_type`, 400
    `invalid_request` without `refresh_token`; 401 as for `POST /auth/refresh`.

    Args:
        body (RefreshForm): OAuth2's refresh grant (RFC 6749 §6) as a form:
            `grant_type=refresh_token`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | TokenResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: RefreshForm,
) -> ErrorResponse | TokenResponse | None:
    """Refresh as an OAuth2 refresh_token grant (form)

     OAuth2's refresh grant as a form (`grant_type=refresh_token&refresh_token=…`),
    the security scheme's `refreshUrl`: the same rotation and reuse detection as
    `POST /auth/refresh`.

    Errors: 400 `unsupported_grant_type` for another `grant_type`, 400
    `invalid_request` without `refresh_token`; 401 as for `POST /auth/refresh`.

    Args:
        body (RefreshForm): OAuth2's refresh grant (RFC 6749 §6) as a form:
            `grant_type=refresh_token`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | TokenResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed

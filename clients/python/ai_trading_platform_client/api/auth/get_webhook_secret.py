from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.webhook_secret import WebhookSecret
from ...types import UNSET, Response


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/auth/me/webhook-secret",
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | WebhookSecret | None:
    if response.status_code == 200:
        response_200 = WebhookSecret.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

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
) -> Response[ErrorResponse | WebhookSecret]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[ErrorResponse | WebhookSecret]:
    """Get your webhook signing secret

     The key that signs your agents' `callback_url` deliveries: each POST carries
    `X-Signature: t=<unix seconds>,v1=<hex>`, hex being HMAC-SHA256(this secret,
    `"<t>.<raw body>"`). Verify it, and reject an old `t`, before trusting a delivery.

    Errors: 401 without a valid access token.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | WebhookSecret]
    """

    kwargs = _get_kwargs()

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
) -> ErrorResponse | WebhookSecret | None:
    """Get your webhook signing secret

     The key that signs your agents' `callback_url` deliveries: each POST carries
    `X-Signature: t=<unix seconds>,v1=<hex>`, hex being HMAC-SHA256(this secret,
    `"<t>.<raw body>"`). Verify it, and reject an old `t`, before trusting a delivery.

    Errors: 401 without a valid access token.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | WebhookSecret
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[ErrorResponse | WebhookSecret]:
    """Get your webhook signing secret

     The key that signs your agents' `callback_url` deliveries: each POST carries
    `X-Signature: t=<unix seconds>,v1=<hex>`, hex being HMAC-SHA256(this secret,
    `"<t>.<raw body>"`). Verify it, and reject an old `t`, before trusting a delivery.

    Errors: 401 without a valid access token.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | WebhookSecret]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
) -> ErrorResponse | WebhookSecret | None:
    """Get your webhook signing secret

     The key that signs your agents' `callback_url` deliveries: each POST carries
    `X-Signature: t=<unix seconds>,v1=<hex>`, hex being HMAC-SHA256(this secret,
    `"<t>.<raw body>"`). Verify it, and reject an old `t`, before trusting a delivery.

    Errors: 401 without a valid access token.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | WebhookSecret
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed

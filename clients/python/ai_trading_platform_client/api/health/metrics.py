from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...types import UNSET, Response


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/metrics",
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | str | None:
    if response.status_code == 200:
        response_200 = response.text
        return response_200

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = ErrorResponse.from_dict(response.json())

        return response_404

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | str]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[ErrorResponse | str]:
    """Prometheus metrics

     Prometheus metrics for the operator's scraper: request latency by route and
    status (failed logins show as 401s), predictions and cache hits, training job
    state changes.

    Errors: 401 without `Authorization: Bearer <METRICS_TOKEN>`; 404 while
    `METRICS_TOKEN` is unset, so an unconfigured deployment does not show them.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | str]
    """

    kwargs = _get_kwargs()

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
) -> ErrorResponse | str | None:
    """Prometheus metrics

     Prometheus metrics for the operator's scraper: request latency by route and
    status (failed logins show as 401s), predictions and cache hits, training job
    state changes.

    Errors: 401 without `Authorization: Bearer <METRICS_TOKEN>`; 404 while
    `METRICS_TOKEN` is unset, so an unconfigured deployment does not show them.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | str
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[ErrorResponse | str]:
    """Prometheus metrics

     Prometheus metrics for the operator's scraper: request latency by route and
    status (failed logins show as 401s), predictions and cache hits, training job
    state changes.

    Errors: 401 without `Authorization: Bearer <METRICS_TOKEN>`; 404 while
    `METRICS_TOKEN` is unset, so an unconfigured deployment does not show them.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | str]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
) -> ErrorResponse | str | None:
    """Prometheus metrics

     Prometheus metrics for the operator's scraper: request latency by route and
    status (failed logins show as 401s), predictions and cache hits, training job
    state changes.

    Errors: 401 without `Authorization: Bearer <METRICS_TOKEN>`; 404 while
    `METRICS_TOKEN` is unset, so an unconfigured deployment does not show them.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | str
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed

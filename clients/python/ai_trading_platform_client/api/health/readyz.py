from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.not_ready import NotReady
from ...models.readiness import Readiness
from ...types import UNSET, Response


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/readyz",
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | NotReady | Readiness | None:
    if response.status_code == 200:
        response_200 = Readiness.from_dict(response.json())

        return response_200

    if response.status_code == 431:
        response_431 = ErrorResponse.from_dict(response.json())

        return response_431

    if response.status_code == 503:
        response_503 = NotReady.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | NotReady | Readiness]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
) -> Response[ErrorResponse | NotReady | Readiness]:
    """Readiness probe

     Ready when the database (and Redis, when configured) answer within a second and
    the database's schema is at this code's head. Public; route traffic only to a
    replica that answers 200.

    Errors: 503 `service_unavailable` naming the services down in `checks`, or
    `not_migrated` when the schema is behind (run `python -m app.migrate`), with
    `Retry-After`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | NotReady | Readiness]
    """

    kwargs = _get_kwargs()

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
) -> ErrorResponse | NotReady | Readiness | None:
    """Readiness probe

     Ready when the database (and Redis, when configured) answer within a second and
    the database's schema is at this code's head. Public; route traffic only to a
    replica that answers 200.

    Errors: 503 `service_unavailable` naming the services down in `checks`, or
    `not_migrated` when the schema is behind (run `python -m app.migrate`), with
    `Retry-After`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | NotReady | Readiness
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
) -> Response[ErrorResponse | NotReady | Readiness]:
    """Readiness probe

     Ready when the database (and Redis, when configured) answer within a second and
    the database's schema is at this code's head. Public; route traffic only to a
    replica that answers 200.

    Errors: 503 `service_unavailable` naming the services down in `checks`, or
    `not_migrated` when the schema is behind (run `python -m app.migrate`), with
    `Retry-After`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | NotReady | Readiness]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
) -> ErrorResponse | NotReady | Readiness | None:
    """Readiness probe

     Ready when the database (and Redis, when configured) answer within a second and
    the database's schema is at this code's head. Public; route traffic only to a
    replica that answers 200.

    Errors: 503 `service_unavailable` naming the services down in `checks`, or
    `not_migrated` when the schema is behind (run `python -m app.migrate`), with
    `Retry-After`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | NotReady | Readiness
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed

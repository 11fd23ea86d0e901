from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.backtest_public import BacktestPublic
from ...models.error_response import ErrorResponse
from ...types import UNSET, Response


def _get_kwargs(
    agent_id: UUID,
    backtest_id: UUID,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/agents/{agent_id}/backtests/{backtest_id}".format(
            agent_id=quote(str(agent_id), safe=""),
            backtest_id=quote(str(backtest_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> BacktestPublic | ErrorResponse | None:
    if response.status_code == 200:
        response_200 = BacktestPublic.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = ErrorResponse.from_dict(response.json())

        return response_404

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
) -> Response[BacktestPublic | ErrorResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    agent_id: UUID,
    backtest_id: UUID,
    *,
    client: AuthenticatedClient,
) -> Response[BacktestPublic | ErrorResponse]:
    """A backtest: its status, and when done its metrics, trades and equity curve

     The backtest as it stands. `request` is what the job runs, every default filled
    in. Until `status` is `SUCCEEDED`, `metrics` and `signals` are null and the lists
    empty. Errors: 404 `agent_not_found` or `backtest_not_found`.

    Args:
        agent_id (UUID):
        backtest_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BacktestPublic | ErrorResponse]
    """

    kwargs = _get_kwargs(
        agent_id=agent_id,
        backtest_id=backtest_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    agent_id: UUID,
    backtest_id: UUID,
    *,
    client: AuthenticatedClient,
) -> BacktestPublic | ErrorResponse | None:
    """A backtest: its status, and when done its metrics, trades and equity curve

     The backtest as it stands. `request` is what the job runs, every default filled
    in. Until `status` is `SUCCEEDED`, `metrics` and `signals` are null and the lists
    empty. Errors: 404 `agent_not_found` or `backtest_not_found`.

    Args:
        agent_id (UUID):
        backtest_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BacktestPublic | ErrorResponse
    """

    return sync_detailed(
        agent_id=agent_id,
        backtest_id=backtest_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    agent_id: UUID,
    backtest_id: UUID,
    *,
    client: AuthenticatedClient,
) -> Response[BacktestPublic | ErrorResponse]:
    """A backtest: its status, and when done its metrics, trades and equity curve

     The backtest as it stands. `request` is what the job runs, every default filled
    in. Until `status` is `SUCCEEDED`, `metrics` and `signals` are null and the lists
    empty. Errors: 404 `agent_not_found` or `backtest_not_found`.

    Args:
        agent_id (UUID):
        backtest_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BacktestPublic | ErrorResponse]
    """

    kwargs = _get_kwargs(
        agent_id=agent_id,
        backtest_id=backtest_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    agent_id: UUID,
    backtest_id: UUID,
    *,
    client: AuthenticatedClient,
) -> BacktestPublic | ErrorResponse | None:
    """A backtest: its status, and when done its metrics, trades and equity curve

     The backtest as it stands. `request` is what the job runs, every default filled
    in. Until `status` is `SUCCEEDED`, `metrics` and `signals` are null and the lists
    empty. Errors: 404 `agent_not_found` or `backtest_not_found`.

    Args:
        agent_id (UUID):
        backtest_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BacktestPublic | ErrorResponse
    """

    return (
        await asyncio_detailed(
            agent_id=agent_id,
            backtest_id=backtest_id,
            client=client,
        )
    ).parsed

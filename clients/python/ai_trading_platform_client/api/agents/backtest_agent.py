from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.backtest_public import BacktestPublic
from ...models.backtest_request import BacktestRequest
from ...models.error_response import ErrorResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    agent_id: UUID,
    *,
    body: BacktestRequest | None | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/agents/{agent_id}/backtest".format(
            agent_id=quote(str(agent_id), safe=""),
        ),
    }

    if isinstance(body, BacktestRequest):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> BacktestPublic | ErrorResponse | None:
    if response.status_code == 202:
        response_202 = BacktestPublic.from_dict(response.json())

        return response_202

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = ErrorResponse.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = ErrorResponse.from_dict(response.json())

        return response_409

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
) -> Response[BacktestPublic | ErrorResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    agent_id: UUID,
    *,
    client: AuthenticatedClient,
    body: BacktestRequest | None | Unset = UNSET,
) -> Response[BacktestPublic | ErrorResponse]:
    """Backtest an agent's calls over a period after its data

     Replay the agent's calls bar by bar over a period that starts after the data its
    version was trained, validated and tested on: each bar's forecast goes through the
    same rule as `/predict` and `/trade-signal` (confidence level, minimum edge, entry
    window, the stop `/predict` places, position size from the equity at that bar),
    with commissions and slippage, one position at a time (docs/BACKTESTS.md). Runs as
    a worker job: answers 202 with the backtest's URL in `Location`; poll it until
    `status` is `SUCCEEDED` (metrics, trades, equity curve beside buy-and-hold) or
    `FAILED` (`error` says why).

    Errors: 404 `agent_not_found` or `version_not_found`; 409 `agent_not_ready`
    when the version is not READY; 422 for a period that starts inside the version's
    data, ends in the future or before it starts.

    Args:
        agent_id (UUID):
        body (BacktestRequest | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BacktestPublic | ErrorResponse]
    """

    kwargs = _get_kwargs(
        agent_id=agent_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    agent_id: UUID,
    *,
    client: AuthenticatedClient,
    body: BacktestRequest | None | Unset = UNSET,
) -> BacktestPublic | ErrorResponse | None:
    """Backtest an agent's calls over a period after its data

     Replay the agent's calls bar by bar over a period that starts after the data its
    version was trained, validated and tested on: each bar's forecast goes through the
    same rule as `/predict` and `/trade-signal` (confidence level, minimum edge, entry
    window, the stop `/predict` places, position size from the equity at that bar),
    with commissions and slippage, one position at a time (docs/BACKTESTS.md). Runs as
    a worker job: answers 202 with the backtest's URL in `Location`; poll it until
    `status` is `SUCCEEDED` (metrics, trades, equity curve beside buy-and-hold) or
    `FAILED` (`error` says why).

    Errors: 404 `agent_not_found` or `version_not_found`; 409 `agent_not_ready`
    when the version is not READY; 422 for a period that starts inside the version's
    data, ends in the future or before it starts.

    Args:
        agent_id (UUID):
        body (BacktestRequest | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BacktestPublic | ErrorResponse
    """

    return sync_detailed(
        agent_id=agent_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    agent_id: UUID,
    *,
    client: AuthenticatedClient,
    body: BacktestRequest | None | Unset = UNSET,
) -> Response[BacktestPublic | ErrorResponse]:
    """Backtest an agent's calls over a period after its data

     Replay the agent's calls bar by bar over a period that starts after the data its
    version was trained, validated and tested on: each bar's forecast goes through the
    same rule as `/predict` and `/trade-signal` (confidence level, minimum edge, entry
    window, the stop `/predict` places, position size from the equity at that bar),
    with commissions and slippage, one position at a time (docs/BACKTESTS.md). Runs as
    a worker job: answers 202 with the backtest's URL in `Location`; poll it until
    `status` is `SUCCEEDED` (metrics, trades, equity curve beside buy-and-hold) or
    `FAILED` (`error` says why).

    Errors: 404 `agent_not_found` or `version_not_found`; 409 `agent_not_ready`
    when the version is not READY; 422 for a period that starts inside the version's
    data, ends in the future or before it starts.

    Args:
        agent_id (UUID):
        body (BacktestRequest | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BacktestPublic | ErrorResponse]
    """

    kwargs = _get_kwargs(
        agent_id=agent_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    agent_id: UUID,
    *,
    client: AuthenticatedClient,
    body: BacktestRequest | None | Unset = UNSET,
) -> BacktestPublic | ErrorResponse | None:
    """Backtest an agent's calls over a period after its data

     Replay the agent's calls bar by bar over a period that starts after the data its
    version was trained, validated and tested on: each bar's forecast goes through the
    same rule as `/predict` and `/trade-signal` (confidence level, minimum edge, entry
    window, the stop `/predict` places, position size from the equity at that bar),
    with commissions and slippage, one position at a time (docs/BACKTESTS.md). Runs as
    a worker job: answers 202 with the backtest's URL in `Location`; poll it until
    `status` is `SUCCEEDED` (metrics, trades, equity curve beside buy-and-hold) or
    `FAILED` (`error` says why).

    Errors: 404 `agent_not_found` or `version_not_found`; 409 `agent_not_ready`
    when the version is not READY; 422 for a period that starts inside the version's
    data, ends in the future or before it starts.

    Args:
        agent_id (UUID):
        body (BacktestRequest | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BacktestPublic | ErrorResponse
    """

    return (
        await asyncio_detailed(
            agent_id=agent_id,
            client=client,
            body=body,
        )
    ).parsed

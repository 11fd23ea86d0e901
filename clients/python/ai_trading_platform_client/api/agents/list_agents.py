from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.agent_page import AgentPage
from ...models.agent_status import AgentStatus
from ...models.architecture import Architecture
from ...models.data_frequency import DataFrequency
from ...models.error_response import ErrorResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    symbol: None | str | Unset = UNSET,
    status: AgentStatus | None | Unset = UNSET,
    architecture: Architecture | None | Unset = UNSET,
    data_frequency: DataFrequency | None | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    json_symbol: None | str | Unset
    if isinstance(symbol, Unset):
        json_symbol = UNSET
    else:
        json_symbol = symbol
    params["symbol"] = json_symbol

    json_status: None | str | Unset
    if isinstance(status, Unset):
        json_status = UNSET
    elif isinstance(status, AgentStatus):
        json_status = status.value
    else:
        json_status = status
    params["status"] = json_status

    json_architecture: None | str | Unset
    if isinstance(architecture, Unset):
        json_architecture = UNSET
    elif isinstance(architecture, Architecture):
        json_architecture = architecture.value
    else:
        json_architecture = architecture
    params["architecture"] = json_architecture

    json_data_frequency: None | str | Unset
    if isinstance(data_frequency, Unset):
        json_data_frequency = UNSET
    elif isinstance(data_frequency, DataFrequency):
        json_data_frequency = data_frequency.value
    else:
        json_data_frequency = data_frequency
    params["data_frequency"] = json_data_frequency

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/agents",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AgentPage | ErrorResponse | None:
    if response.status_code == 200:
        response_200 = AgentPage.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

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
) -> Response[AgentPage | ErrorResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    symbol: None | str | Unset = UNSET,
    status: AgentStatus | None | Unset = UNSET,
    architecture: Architecture | None | Unset = UNSET,
    data_frequency: DataFrequency | None | Unset = UNSET,
) -> Response[AgentPage | ErrorResponse]:
    """List your agents

     Your agents, newest first, a page at a time: pass the answer's `next_cursor` as
    `cursor` for the next page (null on the last). Filter by symbol (an instrument in
    any form: `AAPL`, `AAPL.O` and `AAPL US Equity` find the same agents), status,
    architecture or bar frequency (any letter case).

    Errors: 422 for a `limit` outside 1-100, a `cursor` this API did not issue, a
    `symbol` no source can resolve, or an `architecture` or `data_frequency` that is not
    one of the enum's values.

    Args:
        limit (int | Unset):  Default: 20.
        cursor (None | str | Unset): `next_cursor` of the previous page; opaque.
        symbol (None | str | Unset):
        status (AgentStatus | None | Unset):
        architecture (Architecture | None | Unset):
        data_frequency (DataFrequency | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AgentPage | ErrorResponse]
    """

    kwargs = _get_kwargs(
        limit=limit,
        cursor=cursor,
        symbol=symbol,
        status=status,
        architecture=architecture,
        data_frequency=data_frequency,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    symbol: None | str | Unset = UNSET,
    status: AgentStatus | None | Unset = UNSET,
    architecture: Architecture | None | Unset = UNSET,
    data_frequency: DataFrequency | None | Unset = UNSET,
) -> AgentPage | ErrorResponse | None:
    """List your agents

     Your agents, newest first, a page at a time: pass the answer's `next_cursor` as
    `cursor` for the next page (null on the last). Filter by symbol (an instrument in
    any form: `AAPL`, `AAPL.O` and `AAPL US Equity` find the same agents), status,
    architecture or bar frequency (any letter case).

    Errors: 422 for a `limit` outside 1-100, a `cursor` this API did not issue, a
    `symbol` no source can resolve, or an `architecture` or `data_frequency` that is not
    one of the enum's values.

    Args:
        limit (int | Unset):  Default: 20.
        cursor (None | str | Unset): `next_cursor` of the previous page; opaque.
        symbol (None | str | Unset):
        status (AgentStatus | None | Unset):
        architecture (Architecture | None | Unset):
        data_frequency (DataFrequency | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AgentPage | ErrorResponse
    """

    return sync_detailed(
        client=client,
        limit=limit,
        cursor=cursor,
        symbol=symbol,
        status=status,
        architecture=architecture,
        data_frequency=data_frequency,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    symbol: None | str | Unset = UNSET,
    status: AgentStatus | None | Unset = UNSET,
    architecture: Architecture | None | Unset = UNSET,
    data_frequency: DataFrequency | None | Unset = UNSET,
) -> Response[AgentPage | ErrorResponse]:
    """List your agents

     Your agents, newest first, a page at a time: pass the answer's `next_cursor` as
    `cursor` for the next page (null on the last). Filter by symbol (an instrument in
    any form: `AAPL`, `AAPL.O` and `AAPL US Equity` find the same agents), status,
    architecture or bar frequency (any letter case).

    Errors: 422 for a `limit` outside 1-100, a `cursor` this API did not issue, a
    `symbol` no source can resolve, or an `architecture` or `data_frequency` that is not
    one of the enum's values.

    Args:
        limit (int | Unset):  Default: 20.
        cursor (None | str | Unset): `next_cursor` of the previous page; opaque.
        symbol (None | str | Unset):
        status (AgentStatus | None | Unset):
        architecture (Architecture | None | Unset):
        data_frequency (DataFrequency | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AgentPage | ErrorResponse]
    """

    kwargs = _get_kwargs(
        limit=limit,
        cursor=cursor,
        symbol=symbol,
        status=status,
        architecture=architecture,
        data_frequency=data_frequency,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    symbol: None | str | Unset = UNSET,
    status: AgentStatus | None | Unset = UNSET,
    architecture: Architecture | None | Unset = UNSET,
    data_frequency: DataFrequency | None | Unset = UNSET,
) -> AgentPage | ErrorResponse | None:
    """List your agents

     Your agents, newest first, a page at a time: pass the answer's `next_cursor` as
    `cursor` for the next page (null on the last). Filter by symbol (an instrument in
    any form: `AAPL`, `AAPL.O` and `AAPL US Equity` find the same agents), status,
    architecture or bar frequency (any letter case).

    Errors: 422 for a `limit` outside 1-100, a `cursor` this API did not issue, a
    `symbol` no source can resolve, or an `architecture` or `data_frequency` that is not
    one of the enum's values.

    Args:
        limit (int | Unset):  Default: 20.
        cursor (None | str | Unset): `next_cursor` of the previous page; opaque.
        symbol (None | str | Unset):
        status (AgentStatus | None | Unset):
        architecture (Architecture | None | Unset):
        data_frequency (DataFrequency | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AgentPage | ErrorResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            limit=limit,
            cursor=cursor,
            symbol=symbol,
            status=status,
            architecture=architecture,
            data_frequency=data_frequency,
        )
    ).parsed

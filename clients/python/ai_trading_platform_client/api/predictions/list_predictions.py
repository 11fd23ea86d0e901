import datetime
from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.prediction_page import PredictionPage
from ...models.trade_signal import TradeSignal
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    symbol: None | str | Unset = UNSET,
    agent_id: None | Unset | UUID = UNSET,
    signal: None | TradeSignal | Unset = UNSET,
    from_: datetime.datetime | None | Unset = UNSET,
    to: datetime.datetime | None | Unset = UNSET,
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

    json_agent_id: None | str | Unset
    if isinstance(agent_id, Unset):
        json_agent_id = UNSET
    elif isinstance(agent_id, UUID):
        json_agent_id = str(agent_id)
    else:
        json_agent_id = agent_id
    params["agent_id"] = json_agent_id

    json_signal: None | str | Unset
    if isinstance(signal, Unset):
        json_signal = UNSET
    elif isinstance(signal, TradeSignal):
        json_signal = signal.value
    else:
        json_signal = signal
    params["signal"] = json_signal

    json_from_: None | str | Unset
    if isinstance(from_, Unset):
        json_from_ = UNSET
    elif isinstance(from_, datetime.datetime):
        json_from_ = from_.isoformat()
    else:
        json_from_ = from_
    params["from"] = json_from_

    json_to: None | str | Unset
    if isinstance(to, Unset):
        json_to = UNSET
    elif isinstance(to, datetime.datetime):
        json_to = to.isoformat()
    else:
        json_to = to
    params["to"] = json_to

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/predictions",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | PredictionPage | None:
    if response.status_code == 200:
        response_200 = PredictionPage.from_dict(response.json())

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
) -> Response[ErrorResponse | PredictionPage]:
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
    agent_id: None | Unset | UUID = UNSET,
    signal: None | TradeSignal | Unset = UNSET,
    from_: datetime.datetime | None | Unset = UNSET,
    to: datetime.datetime | None | Unset = UNSET,
) -> Response[ErrorResponse | PredictionPage]:
    """List your past predictions

     Every prediction you were answered, newest first, a page at a time (`cursor` from
    `next_cursor`), with its outcome once its horizon has passed. Filter by symbol
    (an instrument in any form: `AAPL`, `AAPL.O` and `AAPL US Equity` find the same
    calls), agent, signal and a `from`/`to` time range.

    Errors: 422 for a `limit` outside 1-100, an instant without a time zone, a
    `cursor` this API did not issue or a `symbol` no source can resolve.

    Args:
        limit (int | Unset):  Default: 20.
        cursor (None | str | Unset): `next_cursor` of the previous page; opaque.
        symbol (None | str | Unset):
        agent_id (None | Unset | UUID):
        signal (None | TradeSignal | Unset):
        from_ (datetime.datetime | None | Unset):
        to (datetime.datetime | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | PredictionPage]
    """

    kwargs = _get_kwargs(
        limit=limit,
        cursor=cursor,
        symbol=symbol,
        agent_id=agent_id,
        signal=signal,
        from_=from_,
        to=to,
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
    agent_id: None | Unset | UUID = UNSET,
    signal: None | TradeSignal | Unset = UNSET,
    from_: datetime.datetime | None | Unset = UNSET,
    to: datetime.datetime | None | Unset = UNSET,
) -> ErrorResponse | PredictionPage | None:
    """List your past predictions

     Every prediction you were answered, newest first, a page at a time (`cursor` from
    `next_cursor`), with its outcome once its horizon has passed. Filter by symbol
    (an instrument in any form: `AAPL`, `AAPL.O` and `AAPL US Equity` find the same
    calls), agent, signal and a `from`/`to` time range.

    Errors: 422 for a `limit` outside 1-100, an instant without a time zone, a
    `cursor` this API did not issue or a `symbol` no source can resolve.

    Args:
        limit (int | Unset):  Default: 20.
        cursor (None | str | Unset): `next_cursor` of the previous page; opaque.
        symbol (None | str | Unset):
        agent_id (None | Unset | UUID):
        signal (None | TradeSignal | Unset):
        from_ (datetime.datetime | None | Unset):
        to (datetime.datetime | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | PredictionPage
    """

    return sync_detailed(
        client=client,
        limit=limit,
        cursor=cursor,
        symbol=symbol,
        agent_id=agent_id,
        signal=signal,
        from_=from_,
        to=to,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    symbol: None | str | Unset = UNSET,
    agent_id: None | Unset | UUID = UNSET,
    signal: None | TradeSignal | Unset = UNSET,
    from_: datetime.datetime | None | Unset = UNSET,
    to: datetime.datetime | None | Unset = UNSET,
) -> Response[ErrorResponse | PredictionPage]:
    """List your past predictions

     Every prediction you were answered, newest first, a page at a time (`cursor` from
    `next_cursor`), with its outcome once its horizon has passed. Filter by symbol
    (an instrument in any form: `AAPL`, `AAPL.O` and `AAPL US Equity` find the same
    calls), agent, signal and a `from`/`to` time range.

    Errors: 422 for a `limit` outside 1-100, an instant without a time zone, a
    `cursor` this API did not issue or a `symbol` no source can resolve.

    Args:
        limit (int | Unset):  Default: 20.
        cursor (None | str | Unset): `next_cursor` of the previous page; opaque.
        symbol (None | str | Unset):
        agent_id (None | Unset | UUID):
        signal (None | TradeSignal | Unset):
        from_ (datetime.datetime | None | Unset):
        to (datetime.datetime | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | PredictionPage]
    """

    kwargs = _get_kwargs(
        limit=limit,
        cursor=cursor,
        symbol=symbol,
        agent_id=agent_id,
        signal=signal,
        from_=from_,
        to=to,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,
    symbol: None | str | Unset = UNSET,
    agent_id: None | Unset | UUID = UNSET,
    signal: None | TradeSignal | Unset = UNSET,
    from_: datetime.datetime | None | Unset = UNSET,
    to: datetime.datetime | None | Unset = UNSET,
) -> ErrorResponse | PredictionPage | None:
    """List your past predictions

     Every prediction you were answered, newest first, a page at a time (`cursor` from
    `next_cursor`), with its outcome once its horizon has passed. Filter by symbol
    (an instrument in any form: `AAPL`, `AAPL.O` and `AAPL US Equity` find the same
    calls), agent, signal and a `from`/`to` time range.

    Errors: 422 for a `limit` outside 1-100, an instant without a time zone, a
    `cursor` this API did not issue or a `symbol` no source can resolve.

    Args:
        limit (int | Unset):  Default: 20.
        cursor (None | str | Unset): `next_cursor` of the previous page; opaque.
        symbol (None | str | Unset):
        agent_id (None | Unset | UUID):
        signal (None | TradeSignal | Unset):
        from_ (datetime.datetime | None | Unset):
        to (datetime.datetime | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | PredictionPage
    """

    return (
        await asyncio_detailed(
            client=client,
            limit=limit,
            cursor=cursor,
            symbol=symbol,
            agent_id=agent_id,
            signal=signal,
            from_=from_,
            to=to,
        )
    ).parsed

from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.trade_signal_request import TradeSignalRequest
from ...models.trade_signal_response import TradeSignalResponse
from ...types import UNSET, Response


def _get_kwargs(
    *,
    body: TradeSignalRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/trade-signal",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | TradeSignalResponse | None:
    if response.status_code == 200:
        response_200 = TradeSignalResponse.from_dict(response.json())

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
) -> Response[ErrorResponse | TradeSignalResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: TradeSignalRequest,
) -> Response[ErrorResponse | TradeSignalResponse]:
    """Run the signal engine on a forecast you bring

     The signal engine alone: give a current and a predicted price, a confidence and
    your risk settings; get back the Enter/Exit/Hold and Long/Short call, the position
    size, exit time and risk figures that `/predict` would derive from them, with the
    same rule and warnings. No model is run and nothing is stored.

    Errors: 422 for invalid input, such as a stop-loss on the wrong side (each field in
    `details`); 429 past the `predict` quota.

    Args:
        body (TradeSignalRequest): The signal engine alone, for a forecast the caller brings.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | TradeSignalResponse]
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
    body: TradeSignalRequest,
) -> ErrorResponse | TradeSignalResponse | None:
    """Run the signal engine on a forecast you bring

     The signal engine alone: give a current and a predicted price, a confidence and
    your risk settings; get back the Enter/Exit/Hold and Long/Short call, the position
    size, exit time and risk figures that `/predict` would derive from them, with the
    same rule and warnings. No model is run and nothing is stored.

    Errors: 422 for invalid input, such as a stop-loss on the wrong side (each field in
    `details`); 429 past the `predict` quota.

    Args:
        body (TradeSignalRequest): The signal engine alone, for a forecast the caller brings.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | TradeSignalResponse
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: TradeSignalRequest,
) -> Response[ErrorResponse | TradeSignalResponse]:
    """Run the signal engine on a forecast you bring

     The signal engine alone: give a current and a predicted price, a confidence and
    your risk settings; get back the Enter/Exit/Hold and Long/Short call, the position
    size, exit time and risk figures that `/predict` would derive from them, with the
    same rule and warnings. No model is run and nothing is stored.

    Errors: 422 for invalid input, such as a stop-loss on the wrong side (each field in
    `details`); 429 past the `predict` quota.

    Args:
        body (TradeSignalRequest): The signal engine alone, for a forecast the caller brings.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | TradeSignalResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: TradeSignalRequest,
) -> ErrorResponse | TradeSignalResponse | None:
    """Run the signal engine on a forecast you bring

     The signal engine alone: give a current and a predicted price, a confidence and
    your risk settings; get back the Enter/Exit/Hold and Long/Short call, the position
    size, exit time and risk figures that `/predict` would derive from them, with the
    same rule and warnings. No model is run and nothing is stored.

    Errors: 422 for invalid input, such as a stop-loss on the wrong side (each field in
    `details`); 429 past the `predict` quota.

    Args:
        body (TradeSignalRequest): The signal engine alone, for a forecast the caller brings.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | TradeSignalResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed

from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.predict_request import PredictRequest
from ...models.predict_response import PredictResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: PredictRequest,
    cache_control: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(cache_control, Unset):
        headers["Cache-Control"] = cache_control

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/predict",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | PredictResponse | None:
    if response.status_code == 200:
        response_200 = PredictResponse.from_dict(response.json())

        return response_200

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
) -> Response[ErrorResponse | PredictResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: PredictRequest,
    cache_control: None | str | Unset = UNSET,
) -> Response[ErrorResponse | PredictResponse]:
    """Predict: price, confidence, signal and trade plan per stock

     Forecast, signal and trade plan for each stock, from your READY agents: the
    predicted price with its interval, a calibrated confidence (0.5 is a coin flip),
    Enter/Exit/Hold, Long/Short, a suggested exit time, a position size, a sentence and
    risk figures. `warnings` says why a call is Hold or why to distrust it.

    The same request for the same bar is answered from a cache (`cached: true`);
    `Cache-Control: no-cache` skips it for this call (the answer is still stored).

    Errors: 409 `no_ready_agent` when no READY agent matches a symbol, frequency and
    horizon: `details.create_agent_request` is the body to `POST /agents`; 409
    `agent_not_ready`, `model_unavailable` or `not_enough_bars` for an agent that cannot
    answer yet; 404 for an `agent_ids` entry that is not yours; 422 for invalid input
    (each field in `details`); 429 past the `predict` quota; 503 when market data or
    the database is unavailable.

    Args:
        cache_control (None | str | Unset):
        body (PredictRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | PredictResponse]
    """

    kwargs = _get_kwargs(
        body=body,
        cache_control=cache_control,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: PredictRequest,
    cache_control: None | str | Unset = UNSET,
) -> ErrorResponse | PredictResponse | None:
    """Predict: price, confidence, signal and trade plan per stock

     Forecast, signal and trade plan for each stock, from your READY agents: the
    predicted price with its interval, a calibrated confidence (0.5 is a coin flip),
    Enter/Exit/Hold, Long/Short, a suggested exit time, a position size, a sentence and
    risk figures. `warnings` says why a call is Hold or why to distrust it.

    The same request for the same bar is answered from a cache (`cached: true`);
    `Cache-Control: no-cache` skips it for this call (the answer is still stored).

    Errors: 409 `no_ready_agent` when no READY agent matches a symbol, frequency and
    horizon: `details.create_agent_request` is the body to `POST /agents`; 409
    `agent_not_ready`, `model_unavailable` or `not_enough_bars` for an agent that cannot
    answer yet; 404 for an `agent_ids` entry that is not yours; 422 for invalid input
    (each field in `details`); 429 past the `predict` quota; 503 when market data or
    the database is unavailable.

    Args:
        cache_control (None | str | Unset):
        body (PredictRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | PredictResponse
    """

    return sync_detailed(
        client=client,
        body=body,
        cache_control=cache_control,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: PredictRequest,
    cache_control: None | str | Unset = UNSET,
) -> Response[ErrorResponse | PredictResponse]:
    """Predict: price, confidence, signal and trade plan per stock

     Forecast, signal and trade plan for each stock, from your READY agents: the
    predicted price with its interval, a calibrated confidence (0.5 is a coin flip),
    Enter/Exit/Hold, Long/Short, a suggested exit time, a position size, a sentence and
    risk figures. `warnings` says why a call is Hold or why to distrust it.

    The same request for the same bar is answered from a cache (`cached: true`);
    `Cache-Control: no-cache` skips it for this call (the answer is still stored).

    Errors: 409 `no_ready_agent` when no READY agent matches a symbol, frequency and
    horizon: `details.create_agent_request` is the body to `POST /agents`; 409
    `agent_not_ready`, `model_unavailable` or `not_enough_bars` for an agent that cannot
    answer yet; 404 for an `agent_ids` entry that is not yours; 422 for invalid input
    (each field in `details`); 429 past the `predict` quota; 503 when market data or
    the database is unavailable.

    Args:
        cache_control (None | str | Unset):
        body (PredictRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | PredictResponse]
    """

    kwargs = _get_kwargs(
        body=body,
        cache_control=cache_control,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: PredictRequest,
    cache_control: None | str | Unset = UNSET,
) -> ErrorResponse | PredictResponse | None:
    """Predict: price, confidence, signal and trade plan per stock

     Forecast, signal and trade plan for each stock, from your READY agents: the
    predicted price with its interval, a calibrated confidence (0.5 is a coin flip),
    Enter/Exit/Hold, Long/Short, a suggested exit time, a position size, a sentence and
    risk figures. `warnings` says why a call is Hold or why to distrust it.

    The same request for the same bar is answered from a cache (`cached: true`);
    `Cache-Control: no-cache` skips it for this call (the answer is still stored).

    Errors: 409 `no_ready_agent` when no READY agent matches a symbol, frequency and
    horizon: `details.create_agent_request` is the body to `POST /agents`; 409
    `agent_not_ready`, `model_unavailable` or `not_enough_bars` for an agent that cannot
    answer yet; 404 for an `agent_ids` entry that is not yours; 422 for invalid input
    (each field in `details`); 429 past the `predict` quota; 503 when market data or
    the database is unavailable.

    Args:
        cache_control (None | str | Unset):
        body (PredictRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | PredictResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            cache_control=cache_control,
        )
    ).parsed

from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.agent_accepted import AgentAccepted
from ...models.agent_create import AgentCreate
from ...models.error_response import ErrorResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: AgentCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/create-model",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AgentAccepted | ErrorResponse | None:
    if response.status_code == 202:
        response_202 = AgentAccepted.from_dict(response.json())

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
) -> Response[AgentAccepted | ErrorResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: AgentCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[AgentAccepted | ErrorResponse]:
    """Create an agent (alias: create-model)

     The same as `POST /agents`, under the name the platform's original specification gave it; new
    clients should use `POST /agents`.

    Queue the training of a new agent: one model (LSTM, CNN or Transformer) on one
        symbol's bars from `data_source` between `start_date` and `end_date`, at
        `data_frequency`, predicting `prediction_horizon` ahead.

        Answers 202 at once with the agent's id, `status: QUEUED`, its status URL (also in
        `Location`) and its Server-Sent Events URL; training runs in the background (poll the
        status, open the events stream, or set `callback_url` for webhooks) until READY or
        FAILED. Send `Idempotency-Key` to make a retry safe.

        Errors: 422 for an invalid body (each field in `details`: dates in the future or in
        the wrong order, too little or too much history for the horizon, a data source this
        deployment has not configured, an advanced preference outside your segment, a private
        `callback_url`); 409 `too_many_trainings` when your concurrent trainings are at the
        cap; 404 when the agent an `Idempotency-Key` created has since been deleted; 429
        past the `agent_create` quota; 503 when the database or queue is down.

    Args:
        idempotency_key (None | str | Unset): Any unique string (a UUID): a retry with the same
            key and body answers what the first request did (the agent it created, the version a
            retrain queued; `Idempotent-Replayed: true`) instead of doing it again; the same key with
            another body, agent or operation is a 422 `idempotency_key_reused`; 409 while the first
            request is still in progress. Keys are your own and kept at least 24 hours.
        body (AgentCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AgentAccepted | ErrorResponse]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: AgentCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> AgentAccepted | ErrorResponse | None:
    """Create an agent (alias: create-model)

     The same as `POST /agents`, under the name the platform's original specification gave it; new
    clients should use `POST /agents`.

    Queue the training of a new agent: one model (LSTM, CNN or Transformer) on one
        symbol's bars from `data_source` between `start_date` and `end_date`, at
        `data_frequency`, predicting `prediction_horizon` ahead.

        Answers 202 at once with the agent's id, `status: QUEUED`, its status URL (also in
        `Location`) and its Server-Sent Events URL; training runs in the background (poll the
        status, open the events stream, or set `callback_url` for webhooks) until READY or
        FAILED. Send `Idempotency-Key` to make a retry safe.

        Errors: 422 for an invalid body (each field in `details`: dates in the future or in
        the wrong order, too little or too much history for the horizon, a data source this
        deployment has not configured, an advanced preference outside your segment, a private
        `callback_url`); 409 `too_many_trainings` when your concurrent trainings are at the
        cap; 404 when the agent an `Idempotency-Key` created has since been deleted; 429
        past the `agent_create` quota; 503 when the database or queue is down.

    Args:
        idempotency_key (None | str | Unset): Any unique string (a UUID): a retry with the same
            key and body answers what the first request did (the agent it created, the version a
            retrain queued; `Idempotent-Replayed: true`) instead of doing it again; the same key with
            another body, agent or operation is a 422 `idempotency_key_reused`; 409 while the first
            request is still in progress. Keys are your own and kept at least 24 hours.
        body (AgentCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AgentAccepted | ErrorResponse
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: AgentCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[AgentAccepted | ErrorResponse]:
    """Create an agent (alias: create-model)

     The same as `POST /agents`, under the name the platform's original specification gave it; new
    clients should use `POST /agents`.

    Queue the training of a new agent: one model (LSTM, CNN or Transformer) on one
        symbol's bars from `data_source` between `start_date` and `end_date`, at
        `data_frequency`, predicting `prediction_horizon` ahead.

        Answers 202 at once with the agent's id, `status: QUEUED`, its status URL (also in
        `Location`) and its Server-Sent Events URL; training runs in the background (poll the
        status, open the events stream, or set `callback_url` for webhooks) until READY or
        FAILED. Send `Idempotency-Key` to make a retry safe.

        Errors: 422 for an invalid body (each field in `details`: dates in the future or in
        the wrong order, too little or too much history for the horizon, a data source this
        deployment has not configured, an advanced preference outside your segment, a private
        `callback_url`); 409 `too_many_trainings` when your concurrent trainings are at the
        cap; 404 when the agent an `Idempotency-Key` created has since been deleted; 429
        past the `agent_create` quota; 503 when the database or queue is down.

    Args:
        idempotency_key (None | str | Unset): Any unique string (a UUID): a retry with the same
            key and body answers what the first request did (the agent it created, the version a
            retrain queued; `Idempotent-Replayed: true`) instead of doing it again; the same key with
            another body, agent or operation is a 422 `idempotency_key_reused`; 409 while the first
            request is still in progress. Keys are your own and kept at least 24 hours.
        body (AgentCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AgentAccepted | ErrorResponse]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: AgentCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> AgentAccepted | ErrorResponse | None:
    """Create an agent (alias: create-model)

     The same as `POST /agents`, under the name the platform's original specification gave it; new
    clients should use `POST /agents`.

    Queue the training of a new agent: one model (LSTM, CNN or Transformer) on one
        symbol's bars from `data_source` between `start_date` and `end_date`, at
        `data_frequency`, predicting `prediction_horizon` ahead.

        Answers 202 at once with the agent's id, `status: QUEUED`, its status URL (also in
        `Location`) and its Server-Sent Events URL; training runs in the background (poll the
        status, open the events stream, or set `callback_url` for webhooks) until READY or
        FAILED. Send `Idempotency-Key` to make a retry safe.

        Errors: 422 for an invalid body (each field in `details`: dates in the future or in
        the wrong order, too little or too much history for the horizon, a data source this
        deployment has not configured, an advanced preference outside your segment, a private
        `callback_url`); 409 `too_many_trainings` when your concurrent trainings are at the
        cap; 404 when the agent an `Idempotency-Key` created has since been deleted; 429
        past the `agent_create` quota; 503 when the database or queue is down.

    Args:
        idempotency_key (None | str | Unset): Any unique string (a UUID): a retry with the same
            key and body answers what the first request did (the agent it created, the version a
            retrain queued; `Idempotent-Replayed: true`) instead of doing it again; the same key with
            another body, agent or operation is a 422 `idempotency_key_reused`; 409 while the first
            request is still in progress. Keys are your own and kept at least 24 hours.
        body (AgentCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AgentAccepted | ErrorResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed

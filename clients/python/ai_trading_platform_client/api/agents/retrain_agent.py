from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.agent_accepted import AgentAccepted
from ...models.error_response import ErrorResponse
from ...models.retrain_request import RetrainRequest
from ...types import UNSET, Response, Unset


def _get_kwargs(
    agent_id: UUID,
    *,
    body: None | RetrainRequest | Unset = UNSET,
    idempotency_key: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/agents/{agent_id}/retrain".format(
            agent_id=quote(str(agent_id), safe=""),
        ),
    }

    if isinstance(body, RetrainRequest):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body

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
    agent_id: UUID,
    *,
    client: AuthenticatedClient,
    body: None | RetrainRequest | Unset = UNSET,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[AgentAccepted | ErrorResponse]:
    """Retrain an agent on fresh data

     Train a challenger on newer bars: up to `end_date` (default today), the range
    rolled forward at the same length (`window: "rolling"`) or grown from the same
    start (`"expanding"`), same configuration. The champion keeps answering; when the
    challenger is READY it is judged against the champion on the challenger's test
    period and serves only if it is not worse (docs/MODELS.md, "Champion and
    challenger"); otherwise it stays a `candidate` you may promote. A failed retrain
    fails its version only. Answers 202 like creation, with the new `version_id` and
    the status URL in `Location`; `events_url` follows this run only. Send
    `Idempotency-Key` to make a retry safe: it answers the same version again.

    Errors: 409 when a training of this agent is already queued or running, or
    `too_many_trainings` at your concurrency cap, or a request with the same
    `Idempotency-Key` is still in progress; 422 for an `end_date` in the future or
    before the latest version's, or `idempotency_key_reused` for a key used with
    another body, agent or operation; 429 past the `agent_create` quota; 404
    `agent_not_found` (also when the version a key started was deleted with its
    agent).

    Args:
        agent_id (UUID):
        idempotency_key (None | str | Unset): Any unique string (a UUID): a retry with the same
            key and body answers what the first request did (the agent it created, the version a
            retrain queued; `Idempotent-Replayed: true`) instead of doing it again; the same key with
            another body, agent or operation is a 422 `idempotency_key_reused`; 409 while the first
            request is still in progress. Keys are your own and kept at least 24 hours.
        body (None | RetrainRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AgentAccepted | ErrorResponse]
    """

    kwargs = _get_kwargs(
        agent_id=agent_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    agent_id: UUID,
    *,
    client: AuthenticatedClient,
    body: None | RetrainRequest | Unset = UNSET,
    idempotency_key: None | str | Unset = UNSET,
) -> AgentAccepted | ErrorResponse | None:
    """Retrain an agent on fresh data

     Train a challenger on newer bars: up to `end_date` (default today), the range
    rolled forward at the same length (`window: "rolling"`) or grown from the same
    start (`"expanding"`), same configuration. The champion keeps answering; when the
    challenger is READY it is judged against the champion on the challenger's test
    period and serves only if it is not worse (docs/MODELS.md, "Champion and
    challenger"); otherwise it stays a `candidate` you may promote. A failed retrain
    fails its version only. Answers 202 like creation, with the new `version_id` and
    the status URL in `Location`; `events_url` follows this run only. Send
    `Idempotency-Key` to make a retry safe: it answers the same version again.

    Errors: 409 when a training of this agent is already queued or running, or
    `too_many_trainings` at your concurrency cap, or a request with the same
    `Idempotency-Key` is still in progress; 422 for an `end_date` in the future or
    before the latest version's, or `idempotency_key_reused` for a key used with
    another body, agent or operation; 429 past the `agent_create` quota; 404
    `agent_not_found` (also when the version a key started was deleted with its
    agent).

    Args:
        agent_id (UUID):
        idempotency_key (None | str | Unset): Any unique string (a UUID): a retry with the same
            key and body answers what the first request did (the agent it created, the version a
            retrain queued; `Idempotent-Replayed: true`) instead of doing it again; the same key with
            another body, agent or operation is a 422 `idempotency_key_reused`; 409 while the first
            request is still in progress. Keys are your own and kept at least 24 hours.
        body (None | RetrainRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AgentAccepted | ErrorResponse
    """

    return sync_detailed(
        agent_id=agent_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    agent_id: UUID,
    *,
    client: AuthenticatedClient,
    body: None | RetrainRequest | Unset = UNSET,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[AgentAccepted | ErrorResponse]:
    """Retrain an agent on fresh data

     Train a challenger on newer bars: up to `end_date` (default today), the range
    rolled forward at the same length (`window: "rolling"`) or grown from the same
    start (`"expanding"`), same configuration. The champion keeps answering; when the
    challenger is READY it is judged against the champion on the challenger's test
    period and serves only if it is not worse (docs/MODELS.md, "Champion and
    challenger"); otherwise it stays a `candidate` you may promote. A failed retrain
    fails its version only. Answers 202 like creation, with the new `version_id` and
    the status URL in `Location`; `events_url` follows this run only. Send
    `Idempotency-Key` to make a retry safe: it answers the same version again.

    Errors: 409 when a training of this agent is already queued or running, or
    `too_many_trainings` at your concurrency cap, or a request with the same
    `Idempotency-Key` is still in progress; 422 for an `end_date` in the future or
    before the latest version's, or `idempotency_key_reused` for a key used with
    another body, agent or operation; 429 past the `agent_create` quota; 404
    `agent_not_found` (also when the version a key started was deleted with its
    agent).

    Args:
        agent_id (UUID):
        idempotency_key (None | str | Unset): Any unique string (a UUID): a retry with the same
            key and body answers what the first request did (the agent it created, the version a
            retrain queued; `Idempotent-Replayed: true`) instead of doing it again; the same key with
            another body, agent or operation is a 422 `idempotency_key_reused`; 409 while the first
            request is still in progress. Keys are your own and kept at least 24 hours.
        body (None | RetrainRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AgentAccepted | ErrorResponse]
    """

    kwargs = _get_kwargs(
        agent_id=agent_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    agent_id: UUID,
    *,
    client: AuthenticatedClient,
    body: None | RetrainRequest | Unset = UNSET,
    idempotency_key: None | str | Unset = UNSET,
) -> AgentAccepted | ErrorResponse | None:
    """Retrain an agent on fresh data

     Train a challenger on newer bars: up to `end_date` (default today), the range
    rolled forward at the same length (`window: "rolling"`) or grown from the same
    start (`"expanding"`), same configuration. The champion keeps answering; when the
    challenger is READY it is judged against the champion on the challenger's test
    period and serves only if it is not worse (docs/MODELS.md, "Champion and
    challenger"); otherwise it stays a `candidate` you may promote. A failed retrain
    fails its version only. Answers 202 like creation, with the new `version_id` and
    the status URL in `Location`; `events_url` follows this run only. Send
    `Idempotency-Key` to make a retry safe: it answers the same version again.

    Errors: 409 when a training of this agent is already queued or running, or
    `too_many_trainings` at your concurrency cap, or a request with the same
    `Idempotency-Key` is still in progress; 422 for an `end_date` in the future or
    before the latest version's, or `idempotency_key_reused` for a key used with
    another body, agent or operation; 429 past the `agent_create` quota; 404
    `agent_not_found` (also when the version a key started was deleted with its
    agent).

    Args:
        agent_id (UUID):
        idempotency_key (None | str | Unset): Any unique string (a UUID): a retry with the same
            key and body answers what the first request did (the agent it created, the version a
            retrain queued; `Idempotent-Replayed: true`) instead of doing it again; the same key with
            another body, agent or operation is a 422 `idempotency_key_reused`; 409 while the first
            request is still in progress. Keys are your own and kept at least 24 hours.
        body (None | RetrainRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AgentAccepted | ErrorResponse
    """

    return (
        await asyncio_detailed(
            agent_id=agent_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed

from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.agent_public import AgentPublic
from ...models.agent_update import AgentUpdate
from ...models.error_response import ErrorResponse
from ...types import UNSET, Response


def _get_kwargs(
    agent_id: UUID,
    *,
    body: AgentUpdate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/api/v1/agents/{agent_id}".format(
            agent_id=quote(str(agent_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AgentPublic | ErrorResponse | None:
    if response.status_code == 200:
        response_200 = AgentPublic.from_dict(response.json())

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
) -> Response[AgentPublic | ErrorResponse]:
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
    body: AgentUpdate,
) -> Response[AgentPublic | ErrorResponse]:
    """Change an agent's retrain policy

     Set or clear the agent's `retrain_policy`: `{"every_bars": N}` and/or
    `{"when_stale": true}` makes the platform retrain it by itself (the scheduler
    follows the new policy from its next pass); `null` leaves retraining to you. The
    policy is replaced whole. A retrain already queued or running is not affected.
    Answers the agent, as `GET /agents/{agent_id}` does.

    Errors: 422 for a policy asking for nothing, values out of range, an unknown
    field or a missing `retrain_policy` (each field in `details`; nothing is
    changed); 404 `agent_not_found` for an id that is not one of your agents.

    Args:
        agent_id (UUID):
        body (AgentUpdate): What may change on an existing agent (`PATCH /agents/{id}`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AgentPublic | ErrorResponse]
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
    body: AgentUpdate,
) -> AgentPublic | ErrorResponse | None:
    """Change an agent's retrain policy

     Set or clear the agent's `retrain_policy`: `{"every_bars": N}` and/or
    `{"when_stale": true}` makes the platform retrain it by itself (the scheduler
    follows the new policy from its next pass); `null` leaves retraining to you. The
    policy is replaced whole. A retrain already queued or running is not affected.
    Answers the agent, as `GET /agents/{agent_id}` does.

    Errors: 422 for a policy asking for nothing, values out of range, an unknown
    field or a missing `retrain_policy` (each field in `details`; nothing is
    changed); 404 `agent_not_found` for an id that is not one of your agents.

    Args:
        agent_id (UUID):
        body (AgentUpdate): What may change on an existing agent (`PATCH /agents/{id}`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AgentPublic | ErrorResponse
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
    body: AgentUpdate,
) -> Response[AgentPublic | ErrorResponse]:
    """Change an agent's retrain policy

     Set or clear the agent's `retrain_policy`: `{"every_bars": N}` and/or
    `{"when_stale": true}` makes the platform retrain it by itself (the scheduler
    follows the new policy from its next pass); `null` leaves retraining to you. The
    policy is replaced whole. A retrain already queued or running is not affected.
    Answers the agent, as `GET /agents/{agent_id}` does.

    Errors: 422 for a policy asking for nothing, values out of range, an unknown
    field or a missing `retrain_policy` (each field in `details`; nothing is
    changed); 404 `agent_not_found` for an id that is not one of your agents.

    Args:
        agent_id (UUID):
        body (AgentUpdate): What may change on an existing agent (`PATCH /agents/{id}`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AgentPublic | ErrorResponse]
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
    body: AgentUpdate,
) -> AgentPublic | ErrorResponse | None:
    """Change an agent's retrain policy

     Set or clear the agent's `retrain_policy`: `{"every_bars": N}` and/or
    `{"when_stale": true}` makes the platform retrain it by itself (the scheduler
    follows the new policy from its next pass); `null` leaves retraining to you. The
    policy is replaced whole. A retrain already queued or running is not affected.
    Answers the agent, as `GET /agents/{agent_id}` does.

    Errors: 422 for a policy asking for nothing, values out of range, an unknown
    field or a missing `retrain_policy` (each field in `details`; nothing is
    changed); 404 `agent_not_found` for an id that is not one of your agents.

    Args:
        agent_id (UUID):
        body (AgentUpdate): What may change on an existing agent (`PATCH /agents/{id}`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AgentPublic | ErrorResponse
    """

    return (
        await asyncio_detailed(
            agent_id=agent_id,
            client=client,
            body=body,
        )
    ).parsed

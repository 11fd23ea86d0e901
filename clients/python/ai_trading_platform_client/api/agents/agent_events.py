from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    agent_id: UUID,
    *,
    last_event_id_query: int | None | Unset = UNSET,
    token: None | str | Unset = UNSET,
    last_event_id_header: int | None | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(last_event_id_header, Unset):
        headers["Last-Event-ID"] = last_event_id_header

    params: dict[str, Any] = {}

    json_last_event_id_query: int | None | Unset
    if isinstance(last_event_id_query, Unset):
        json_last_event_id_query = UNSET
    else:
        json_last_event_id_query = last_event_id_query
    params["last_event_id"] = json_last_event_id_query

    json_token: None | str | Unset
    if isinstance(token, Unset):
        json_token = UNSET
    else:
        json_token = token
    params["token"] = json_token

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/agents/{agent_id}/events".format(
            agent_id=quote(str(agent_id), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | ErrorResponse | str | None:
    if response.status_code == 200:
        response_200 = response.text
        return response_200

    if response.status_code == 204:
        response_204 = cast(Any, None)
        return response_204

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
) -> Response[Any | ErrorResponse | str]:
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
    last_event_id_query: int | None | Unset = UNSET,
    token: None | str | Unset = UNSET,
    last_event_id_header: int | None | Unset = UNSET,
) -> Response[Any | ErrorResponse | str]:
    """Follow an agent's training as Server-Sent Events

     Server-Sent Events: the agent's state changes (`agent.<state>`,
    with `id:`), stored as notifications, and while it trains its epoch progress
    (`agent.progress`, no `id:`, at most once a second, not stored); a `retry:` line first.
    The stream ends after a final state (READY, FAILED, CANCELLED), on logout or when the
    access token expires. A reconnect whose `Last-Event-ID` (or `last_event_id`) is that
    final event gets 204, which stops an EventSource.

    Authenticate with the bearer (`Authorization: Bearer <access token>`), or in a browser,
    whose EventSource cannot send headers, with `?token=` from `POST …/events/token` (single
    use, this agent only; an access token there is refused).

    Errors: 401 for a missing, expired, revoked, reused or other-agent token; 404
    `agent_not_found`; 429 past the default quota or with too many streams already open
    (`Retry-After` says when to try again).

    Args:
        agent_id (UUID):
        last_event_id_query (int | None | Unset): For a new EventSource (which sends no `Last-
            Event-ID`): the id of the last event received; the header wins when both are sent.
        token (None | str | Unset): A stream token for this agent (`POST …/events/token`), for a
            browser's EventSource, which cannot send `Authorization`; single-use and short-lived. An
            access token here is refused.
        last_event_id_header (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorResponse | str]
    """

    kwargs = _get_kwargs(
        agent_id=agent_id,
        last_event_id_query=last_event_id_query,
        token=token,
        last_event_id_header=last_event_id_header,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    agent_id: UUID,
    *,
    client: AuthenticatedClient,
    last_event_id_query: int | None | Unset = UNSET,
    token: None | str | Unset = UNSET,
    last_event_id_header: int | None | Unset = UNSET,
) -> Any | ErrorResponse | str | None:
    """Follow an agent's training as Server-Sent Events

     Server-Sent Events: the agent's state changes (`agent.<state>`,
    with `id:`), stored as notifications, and while it trains its epoch progress
    (`agent.progress`, no `id:`, at most once a second, not stored); a `retry:` line first.
    The stream ends after a final state (READY, FAILED, CANCELLED), on logout or when the
    access token expires. A reconnect whose `Last-Event-ID` (or `last_event_id`) is that
    final event gets 204, which stops an EventSource.

    Authenticate with the bearer (`Authorization: Bearer <access token>`), or in a browser,
    whose EventSource cannot send headers, with `?token=` from `POST …/events/token` (single
    use, this agent only; an access token there is refused).

    Errors: 401 for a missing, expired, revoked, reused or other-agent token; 404
    `agent_not_found`; 429 past the default quota or with too many streams already open
    (`Retry-After` says when to try again).

    Args:
        agent_id (UUID):
        last_event_id_query (int | None | Unset): For a new EventSource (which sends no `Last-
            Event-ID`): the id of the last event received; the header wins when both are sent.
        token (None | str | Unset): A stream token for this agent (`POST …/events/token`), for a
            browser's EventSource, which cannot send `Authorization`; single-use and short-lived. An
            access token here is refused.
        last_event_id_header (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorResponse | str
    """

    return sync_detailed(
        agent_id=agent_id,
        client=client,
        last_event_id_query=last_event_id_query,
        token=token,
        last_event_id_header=last_event_id_header,
    ).parsed


async def asyncio_detailed(
    agent_id: UUID,
    *,
    client: AuthenticatedClient,
    last_event_id_query: int | None | Unset = UNSET,
    token: None | str | Unset = UNSET,
    last_event_id_header: int | None | Unset = UNSET,
) -> Response[Any | ErrorResponse | str]:
    """Follow an agent's training as Server-Sent Events

     Server-Sent Events: the agent's state changes (`agent.<state>`,
    with `id:`), stored as notifications, and while it trains its epoch progress
    (`agent.progress`, no `id:`, at most once a second, not stored); a `retry:` line first.
    The stream ends after a final state (READY, FAILED, CANCELLED), on logout or when the
    access token expires. A reconnect whose `Last-Event-ID` (or `last_event_id`) is that
    final event gets 204, which stops an EventSource.

    Authenticate with the bearer (`Authorization: Bearer <access token>`), or in a browser,
    whose EventSource cannot send headers, with `?token=` from `POST …/events/token` (single
    use, this agent only; an access token there is refused).

    Errors: 401 for a missing, expired, revoked, reused or other-agent token; 404
    `agent_not_found`; 429 past the default quota or with too many streams already open
    (`Retry-After` says when to try again).

    Args:
        agent_id (UUID):
        last_event_id_query (int | None | Unset): For a new EventSource (which sends no `Last-
            Event-ID`): the id of the last event received; the header wins when both are sent.
        token (None | str | Unset): A stream token for this agent (`POST …/events/token`), for a
            browser's EventSource, which cannot send `Authorization`; single-use and short-lived. An
            access token here is refused.
        last_event_id_header (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorResponse | str]
    """

    kwargs = _get_kwargs(
        agent_id=agent_id,
        last_event_id_query=last_event_id_query,
        token=token,
        last_event_id_header=last_event_id_header,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    agent_id: UUID,
    *,
    client: AuthenticatedClient,
    last_event_id_query: int | None | Unset = UNSET,
    token: None | str | Unset = UNSET,
    last_event_id_header: int | None | Unset = UNSET,
) -> Any | ErrorResponse | str | None:
    """Follow an agent's training as Server-Sent Events

     Server-Sent Events: the agent's state changes (`agent.<state>`,
    with `id:`), stored as notifications, and while it trains its epoch progress
    (`agent.progress`, no `id:`, at most once a second, not stored); a `retry:` line first.
    The stream ends after a final state (READY, FAILED, CANCELLED), on logout or when the
    access token expires. A reconnect whose `Last-Event-ID` (or `last_event_id`) is that
    final event gets 204, which stops an EventSource.

    Authenticate with the bearer (`Authorization: Bearer <access token>`), or in a browser,
    whose EventSource cannot send headers, with `?token=` from `POST …/events/token` (single
    use, this agent only; an access token there is refused).

    Errors: 401 for a missing, expired, revoked, reused or other-agent token; 404
    `agent_not_found`; 429 past the default quota or with too many streams already open
    (`Retry-After` says when to try again).

    Args:
        agent_id (UUID):
        last_event_id_query (int | None | Unset): For a new EventSource (which sends no `Last-
            Event-ID`): the id of the last event received; the header wins when both are sent.
        token (None | str | Unset): A stream token for this agent (`POST …/events/token`), for a
            browser's EventSource, which cannot send `Authorization`; single-use and short-lived. An
            access token here is refused.
        last_event_id_header (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorResponse | str
    """

    return (
        await asyncio_detailed(
            agent_id=agent_id,
            client=client,
            last_event_id_query=last_event_id_query,
            token=token,
            last_event_id_header=last_event_id_header,
        )
    ).parsed

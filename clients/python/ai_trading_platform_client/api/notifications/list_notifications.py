from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.notification_event import NotificationEvent
from ...models.notification_page import NotificationPage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    unread: bool | Unset = False,
    agent_id: None | Unset | UUID = UNSET,
    event: None | NotificationEvent | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    params["unread"] = unread

    json_agent_id: None | str | Unset
    if isinstance(agent_id, Unset):
        json_agent_id = UNSET
    elif isinstance(agent_id, UUID):
        json_agent_id = str(agent_id)
    else:
        json_agent_id = agent_id
    params["agent_id"] = json_agent_id

    json_event: None | str | Unset
    if isinstance(event, Unset):
        json_event = UNSET
    elif isinstance(event, NotificationEvent):
        json_event = event.value
    else:
        json_event = event
    params["event"] = json_event

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/notifications",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | NotificationPage | None:
    if response.status_code == 200:
        response_200 = NotificationPage.from_dict(response.json())

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
) -> Response[ErrorResponse | NotificationPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    unread: bool | Unset = False,
    agent_id: None | Unset | UUID = UNSET,
    event: None | NotificationEvent | Unset = UNSET,
) -> Response[ErrorResponse | NotificationPage]:
    """List your notifications

     Your agents' state changes (`agent.queued` … `agent.ready`, `agent.failed`,
    `agent.cancelled`), newest first, a page at a time: pass `next_cursor` as `cursor`
    for the next (null on the last). Filter by unread, agent or event type.

    Errors: 422 for a `limit` outside 1-100, an unknown `event` or a `cursor` this API
    did not issue.

    Args:
        limit (int | Unset):  Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page; opaque.
        unread (bool | Unset):  Default: False.
        agent_id (None | Unset | UUID):
        event (None | NotificationEvent | Unset): Only this event type, e.g. `agent.ready`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | NotificationPage]
    """

    kwargs = _get_kwargs(
        limit=limit,
        cursor=cursor,
        unread=unread,
        agent_id=agent_id,
        event=event,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    unread: bool | Unset = False,
    agent_id: None | Unset | UUID = UNSET,
    event: None | NotificationEvent | Unset = UNSET,
) -> ErrorResponse | NotificationPage | None:
    """List your notifications

     Your agents' state changes (`agent.queued` … `agent.ready`, `agent.failed`,
    `agent.cancelled`), newest first, a page at a time: pass `next_cursor` as `cursor`
    for the next (null on the last). Filter by unread, agent or event type.

    Errors: 422 for a `limit` outside 1-100, an unknown `event` or a `cursor` this API
    did not issue.

    Args:
        limit (int | Unset):  Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page; opaque.
        unread (bool | Unset):  Default: False.
        agent_id (None | Unset | UUID):
        event (None | NotificationEvent | Unset): Only this event type, e.g. `agent.ready`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | NotificationPage
    """

    return sync_detailed(
        client=client,
        limit=limit,
        cursor=cursor,
        unread=unread,
        agent_id=agent_id,
        event=event,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    unread: bool | Unset = False,
    agent_id: None | Unset | UUID = UNSET,
    event: None | NotificationEvent | Unset = UNSET,
) -> Response[ErrorResponse | NotificationPage]:
    """List your notifications

     Your agents' state changes (`agent.queued` … `agent.ready`, `agent.failed`,
    `agent.cancelled`), newest first, a page at a time: pass `next_cursor` as `cursor`
    for the next (null on the last). Filter by unread, agent or event type.

    Errors: 422 for a `limit` outside 1-100, an unknown `event` or a `cursor` this API
    did not issue.

    Args:
        limit (int | Unset):  Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page; opaque.
        unread (bool | Unset):  Default: False.
        agent_id (None | Unset | UUID):
        event (None | NotificationEvent | Unset): Only this event type, e.g. `agent.ready`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | NotificationPage]
    """

    kwargs = _get_kwargs(
        limit=limit,
        cursor=cursor,
        unread=unread,
        agent_id=agent_id,
        event=event,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    unread: bool | Unset = False,
    agent_id: None | Unset | UUID = UNSET,
    event: None | NotificationEvent | Unset = UNSET,
) -> ErrorResponse | NotificationPage | None:
    """List your notifications

     Your agents' state changes (`agent.queued` … `agent.ready`, `agent.failed`,
    `agent.cancelled`), newest first, a page at a time: pass `next_cursor` as `cursor`
    for the next (null on the last). Filter by unread, agent or event type.

    Errors: 422 for a `limit` outside 1-100, an unknown `event` or a `cursor` this API
    did not issue.

    Args:
        limit (int | Unset):  Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page; opaque.
        unread (bool | Unset):  Default: False.
        agent_id (None | Unset | UUID):
        event (None | NotificationEvent | Unset): Only this event type, e.g. `agent.ready`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | NotificationPage
    """

    return (
        await asyncio_detailed(
            client=client,
            limit=limit,
            cursor=cursor,
            unread=unread,
            agent_id=agent_id,
            event=event,
        )
    ).parsed

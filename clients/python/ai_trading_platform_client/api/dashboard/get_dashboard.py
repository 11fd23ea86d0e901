from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.investor_dashboard import InvestorDashboard
from ...models.manager_dashboard import ManagerDashboard
from ...models.quant_dashboard import QuantDashboard
from ...models.short_term_trader_dashboard import ShortTermTraderDashboard
from ...models.user_segment import UserSegment
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    segment: None | Unset | UserSegment = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_segment: None | str | Unset
    if isinstance(segment, Unset):
        json_segment = UNSET
    elif isinstance(segment, UserSegment):
        json_segment = segment.value
    else:
        json_segment = segment
    params["segment"] = json_segment

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/dashboard",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> (
    ErrorResponse
    | InvestorDashboard
    | ManagerDashboard
    | QuantDashboard
    | ShortTermTraderDashboard
    | None
):
    if response.status_code == 200:

        def _parse_response_200(
            data: object,
        ) -> InvestorDashboard | ManagerDashboard | QuantDashboard | ShortTermTraderDashboard:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_200_type_0 = ShortTermTraderDashboard.from_dict(data)

                return response_200_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_200_type_1 = InvestorDashboard.from_dict(data)

                return response_200_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_200_type_2 = ManagerDashboard.from_dict(data)

                return response_200_type_2
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            response_200_type_3 = QuantDashboard.from_dict(data)

            return response_200_type_3

        response_200 = _parse_response_200(response.json())

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
) -> Response[
    ErrorResponse | InvestorDashboard | ManagerDashboard | QuantDashboard | ShortTermTraderDashboard
]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    segment: None | Unset | UserSegment = UNSET,
) -> Response[
    ErrorResponse | InvestorDashboard | ManagerDashboard | QuantDashboard | ShortTermTraderDashboard
]:
    """Get your dashboard

     Short-term trader: today's signals and open entry windows. Investor: the latest
    long-horizon call per holding with its agent's track record. Manager: exposure,
    capital at risk and per-symbol signals. Quant: agents with metrics, loss curves and
    track records. `segment` tells the four shapes apart.

    Errors: 422 for an unknown `segment`.

    Args:
        segment (None | Unset | UserSegment): Another segment's view of your own data; default:
            your segment.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | InvestorDashboard | ManagerDashboard | QuantDashboard | ShortTermTraderDashboard]
    """

    kwargs = _get_kwargs(
        segment=segment,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    segment: None | Unset | UserSegment = UNSET,
) -> (
    ErrorResponse
    | InvestorDashboard
    | ManagerDashboard
    | QuantDashboard
    | ShortTermTraderDashboard
    | None
):
    """Get your dashboard

     Short-term trader: today's signals and open entry windows. Investor: the latest
    long-horizon call per holding with its agent's track record. Manager: exposure,
    capital at risk and per-symbol signals. Quant: agents with metrics, loss curves and
    track records. `segment` tells the four shapes apart.

    Errors: 422 for an unknown `segment`.

    Args:
        segment (None | Unset | UserSegment): Another segment's view of your own data; default:
            your segment.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | InvestorDashboard | ManagerDashboard | QuantDashboard | ShortTermTraderDashboard
    """

    return sync_detailed(
        client=client,
        segment=segment,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    segment: None | Unset | UserSegment = UNSET,
) -> Response[
    ErrorResponse | InvestorDashboard | ManagerDashboard | QuantDashboard | ShortTermTraderDashboard
]:
    """Get your dashboard

     Short-term trader: today's signals and open entry windows. Investor: the latest
    long-horizon call per holding with its agent's track record. Manager: exposure,
    capital at risk and per-symbol signals. Quant: agents with metrics, loss curves and
    track records. `segment` tells the four shapes apart.

    Errors: 422 for an unknown `segment`.

    Args:
        segment (None | Unset | UserSegment): Another segment's view of your own data; default:
            your segment.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | InvestorDashboard | ManagerDashboard | QuantDashboard | ShortTermTraderDashboard]
    """

    kwargs = _get_kwargs(
        segment=segment,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    segment: None | Unset | UserSegment = UNSET,
) -> (
    ErrorResponse
    | InvestorDashboard
    | ManagerDashboard
    | QuantDashboard
    | ShortTermTraderDashboard
    | None
):
    """Get your dashboard

     Short-term trader: today's signals and open entry windows. Investor: the latest
    long-horizon call per holding with its agent's track record. Manager: exposure,
    capital at risk and per-symbol signals. Quant: agents with metrics, loss curves and
    track records. `segment` tells the four shapes apart.

    Errors: 422 for an unknown `segment`.

    Args:
        segment (None | Unset | UserSegment): Another segment's view of your own data; default:
            your segment.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | InvestorDashboard | ManagerDashboard | QuantDashboard | ShortTermTraderDashboard
    """

    return (
        await asyncio_detailed(
            client=client,
            segment=segment,
        )
    ).parsed

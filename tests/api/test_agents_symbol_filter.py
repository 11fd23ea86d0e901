"""GET /api/v1/agents?symbol=: an instrument in any form, and a 422 on the `symbol`
query field for one no source can resolve, as GET /api/v1/predictions answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from httpx import AsyncClient

from app.config import Settings
from tests.utils.agents import agent_rows
from tests.utils.db import insert
from tests.utils.errors import assert_error
from tests.utils.users import bearer, user_with_tokens


async def test_an_unreadable_symbol_is_422_on_the_query_field(
    app_factory: Callable[[Settings], Any], make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(embedded_runner=False, outcomes_interval_s=0)
    client: AsyncClient = await app_factory(settings)
    user, tokens = await user_with_tokens(client)
    headers = bearer(tokens)
    plain, _ = agent_rows(user["id"], symbol="AAPL", serving=False)
    ric, _ = agent_rows(user["id"], symbol="AAPL.O", data_source="refinitiv", serving=False)
    other, _ = agent_rows(user["id"], symbol="MSFT", serving=False)
    await insert(settings, plain, ric, other)

    for form in ("AAPL", "aapl.o", "AAPL US Equity"):
        listing = await client.get("/api/v1/agents", params={"symbol": form}, headers=headers)
        assert listing.status_code == 200, listing.text
        assert sorted(a["symbol"] for a in listing.json()["items"]) == ["AAPL", "AAPL.O"]

    for bad in ("AAPL XX Equity", "A$PL"):
        response = await client.get("/api/v1/agents", params={"symbol": bad}, headers=headers)
        error = assert_error(response, 422, None)
        [detail] = error["details"]
        assert detail["loc"] == ["query", "symbol"]
        assert "not a symbol the platform can resolve" in detail["msg"]
        # the history answers the same symbol the same way
        history = await client.get("/api/v1/predictions", params={"symbol": bad}, headers=headers)
        assert history.status_code == 422
        assert history.json()["error"]["details"] == error["details"]
        assert history.json()["error"]["code"] == error["code"]

    everything = await client.get("/api/v1/agents", headers=headers)
    assert len(everything.json()["items"]) == 3  # no filter: nothing else changed

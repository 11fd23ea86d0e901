"""Where an instrument trades: the time zone its windows are read in, and its sessions.

A request's `entry_window` and `exit_window` are wall-clock times; unless it names a
`timezone`, they are read on the instrument's exchange clock (09:30-16:00 New York
for a US share, 08:00-16:30 London for `VOD.L`), and the suggested exit is written
in that zone. The exit itself comes from the exchange's calendar
(`app.core.calendars`): a US half-day closes at 13:00, a holiday is no session.

An agent keeps its instrument (`agent.instrument`: `timezone`, `calendar`; its
calendar is `app.core.calendars.calendar_of_instrument`); an agent from before
instruments, or a symbol the resolver cannot read, is in New York, as every agent
was before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.core.clock import DEFAULT_TIMEZONE
from app.core.instruments import UnknownInstrument, resolve


def exchange_zone(symbol: str) -> str:
    """The IANA zone of `symbol`'s exchange; New York for a symbol no source resolves."""
    try:
        return resolve(symbol).timezone
    except UnknownInstrument:
        return DEFAULT_TIMEZONE


def instrument_zone(instrument: Mapping[str, Any] | None, symbol: str) -> str:
    """The exchange zone an agent's instrument records, else its symbol's."""
    zone = (instrument or {}).get("timezone")
    return str(zone) if zone else exchange_zone(symbol)


def window_zone(requested: str | None, instrument: Mapping[str, Any] | None, symbol: str) -> str:
    """The zone a request's windows are read in: the one it names, else the exchange's."""
    return requested or instrument_zone(instrument, symbol)

"""Market data: one `fetch_bars` interface over synthetic, file and vendor sources.

Start with `get_provider(data_source, settings)` and `ensure_configured`; bar
frequencies and horizons are in `frequency`, data checks in `validation`.
"""

from app.services.market_data.base import (
    BAR_SCHEMA,
    DATA_SOURCES,
    DataSourceNotConfigured,
    MarketDataError,
    MarketDataProvider,
    MarketDataUnavailable,
    ensure_configured,
    get_provider,
)

__all__ = [
    "BAR_SCHEMA",
    "DATA_SOURCES",
    "DataSourceNotConfigured",
    "MarketDataError",
    "MarketDataProvider",
    "MarketDataUnavailable",
    "ensure_configured",
    "get_provider",
]

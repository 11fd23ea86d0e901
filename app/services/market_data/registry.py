"""The market-data resources of one process: providers by source, one vendor session.

Training jobs and /predict used to build a provider per job (or per app) and a
second Refinitiv client for news, each signing in on its own; with
`takeExclusiveSignOnControl` those sign-ins revoke each other. A `MarketData`
holds, for the process's lifetime:

* one provider per `data_source`, built on first use;
* one Refinitiv client (one OAuth token, renewed once under a lock, and one
  `VENDOR_MAX_CONCURRENCY` semaphore) shared by the bar provider and the news
  source;
* one Bloomberg session (`BlpapiSession`: opened once, reopened if it drops);
* the bar store: remote vendors' bars (refinitiv, bloomberg) are read through it,
  local sources (synthetic, csv, sample) directly.

The app's runtime and a worker's `JobContext` each hold one; the embedded runner's
context is given the app's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.services.bar_store import BarStore, StoredBarsProvider
from app.services.market_data.base import MarketDataProvider, _known, get_provider

if TYPE_CHECKING:
    import httpx
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from app.config import Settings
    from app.services.market_data.refinitiv import RefinitivClient
    from app.services.news import NewsSource

REMOTE_SOURCES: frozenset[str] = frozenset({"refinitiv", "bloomberg"})


class MarketData:
    """Providers, vendor sessions and the bar store of one process (module doc)."""

    def __init__(
        self,
        settings: Settings,
        http: httpx.AsyncClient | None = None,
        sessionmaker: async_sessionmaker[AsyncSession] | None = None,
        *,
        store: BarStore | None = None,
    ) -> None:
        self.settings = settings
        self.http = http
        self.store = store or (BarStore(sessionmaker) if sessionmaker is not None else None)
        self._vendors: dict[str, MarketDataProvider] = {}
        self._providers: dict[str, MarketDataProvider] = {}
        self._refinitiv: RefinitivClient | None = None
        self._news: NewsSource | None = None
        self._news_ready = False

    def provider(self, data_source: str) -> MarketDataProvider:
        """What jobs and /predict read bars from: remote vendors through the bar store
        (when this process has a database), local sources directly."""
        name = _known(data_source)
        provider = self._providers.get(name)
        if provider is None:
            provider = self.vendor(name)
            if name in REMOTE_SOURCES and self.store is not None:
                provider = StoredBarsProvider(provider, self.store, name)
            self._providers[name] = provider
        return provider

    def vendor(self, data_source: str) -> MarketDataProvider:
        """The source's own provider, one per process (no bar store)."""
        name = _known(data_source)
        provider = self._vendors.get(name)
        if provider is None:
            if name == "refinitiv":
                from app.services.market_data.refinitiv import RefinitivProvider

                provider = RefinitivProvider(self.refinitiv_client())
            else:
                provider = get_provider(name, self.settings, self.http)
            self._vendors[name] = provider
        return provider

    def refinitiv_client(self) -> RefinitivClient:
        """The process's one Refinitiv client (422 when credentials are missing)."""
        if self._refinitiv is None:
            from app.services.market_data.refinitiv import RefinitivClient

            self._refinitiv = RefinitivClient.from_settings(self.settings, http_client=self.http)
        return self._refinitiv

    def news_source(self) -> NewsSource | None:
        """The configured news source; Refinitiv news shares the pricing client."""
        if not self._news_ready:
            from app.services.news import get_news_source

            if self.settings.news_source == "refinitiv":
                from app.services.news.refinitiv import RefinitivNewsClient, RefinitivNewsSource

                self._news = RefinitivNewsSource(RefinitivNewsClient(self.refinitiv_client()))
            else:
                self._news = get_news_source(self.settings, self.http)
            self._news_ready = True
        return self._news

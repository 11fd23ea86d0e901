"""LSEG / Refinitiv: one authenticated platform client and the bar provider built on it.

The client lives apart from pricing so that news (`app.services.news.refinitiv`) can
share sign-in, retries and error mapping without depending on bars. Vendor details:
`docs/vendors/refinitiv.md`.
"""

from app.services.market_data.refinitiv.client import (
    DEFAULT_RIC_SUFFIX,
    NOT_CONFIGURED,
    RefinitivClient,
    RefinitivCredentials,
    RetryPolicy,
    ensure_refinitiv_configured,
    to_ric,
)
from app.services.market_data.refinitiv.pricing import RefinitivProvider

__all__ = [
    "DEFAULT_RIC_SUFFIX",
    "NOT_CONFIGURED",
    "RefinitivClient",
    "RefinitivCredentials",
    "RefinitivProvider",
    "RetryPolicy",
    "ensure_refinitiv_configured",
    "to_ric",
]

"""Event-stream credentials: what `POST /agents/{id}/events/token` answers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from app.schemas.base import Output


class StreamToken(Output):
    """A single-use, short-lived token that opens one agent's event stream."""

    token: str = Field(description="Put it in `?token=` on this agent's events URL; once.")
    token_type: Literal["stream"] = "stream"  # noqa: S105 (a kind, not a secret)
    expires_at: datetime = Field(description="Unused after this instant, it is refused.")
    expires_in: int = Field(description="Seconds until `expires_at`.")
    events_url: str = Field(
        description="The agent's events URL with the token: what `new EventSource(...)` takes."
    )

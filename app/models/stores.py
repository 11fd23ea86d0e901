"""What workers download and produce, kept where every machine can read it: the bar
store (vendor bars, topped up incrementally) and the artifact store (weights with
their preprocessing and calibration), so no process needs a shared volume."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, LargeBinary
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, created_at_field, utcnow


class StoredBar(SQLModel, table=True):
    """One downloaded bar of (source, symbol, frequency)."""

    __tablename__ = "bars"

    source: str = Field(primary_key=True, max_length=16)
    symbol: str = Field(primary_key=True, max_length=64)
    frequency: str = Field(primary_key=True, max_length=8)
    timestamp: datetime = Field(primary_key=True, sa_type=UTCDateTime)
    open: float
    high: float
    low: float
    close: float
    volume: float


class BarCoverage(SQLModel, table=True):
    """The one contiguous range of bar starts the store holds for a series: a bar
    absent inside it does not exist (a holiday), one outside it was never asked for."""

    __tablename__ = "bar_coverage"

    source: str = Field(primary_key=True, max_length=16)
    symbol: str = Field(primary_key=True, max_length=64)
    frequency: str = Field(primary_key=True, max_length=8)
    start: datetime = Field(sa_type=UTCDateTime)
    end: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ArtifactFile(SQLModel, table=True):
    """One file of a version's artifact (the `.keras` weights, the JSON beside it)."""

    __tablename__ = "artifact_files"

    version_id: uuid.UUID = Field(
        primary_key=True, foreign_key="agent_versions.id", ondelete="CASCADE"
    )
    name: str = Field(primary_key=True, max_length=128)
    sha256: str = Field(max_length=64)
    size: int = Field(sa_type=BigInteger)
    data: bytes = Field(sa_type=LargeBinary)
    created_at: datetime = created_at_field()

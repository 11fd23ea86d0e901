"""Every table, imported here so `SQLModel.metadata` (and Alembic) sees them all."""

from app.models.agents import (
    Agent,
    AgentVersion,
    IdempotencyKey,
    Notification,
    TrainingCheckpoint,
    TrainingJob,
)
from app.models.audit import AuditLog
from app.models.backtests import Backtest
from app.models.predictions import Prediction
from app.models.stores import ArtifactFile, BarCoverage, StoredBar
from app.models.tokens import RefreshToken, TokenRevocation
from app.models.users import User

__all__ = [
    "Agent",
    "AgentVersion",
    "ArtifactFile",
    "AuditLog",
    "Backtest",
    "BarCoverage",
    "IdempotencyKey",
    "Notification",
    "Prediction",
    "RefreshToken",
    "StoredBar",
    "TokenRevocation",
    "TrainingCheckpoint",
    "TrainingJob",
    "User",
]

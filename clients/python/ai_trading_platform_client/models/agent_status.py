from enum import StrEnum


class AgentStatus(StrEnum):
    CANCELLED = "CANCELLED"
    EVALUATING = "EVALUATING"
    FAILED = "FAILED"
    FETCHING_DATA = "FETCHING_DATA"
    QUEUED = "QUEUED"
    READY = "READY"
    TRAINING = "TRAINING"
    VALIDATING = "VALIDATING"

    def __str__(self) -> str:
        return str(self.value)

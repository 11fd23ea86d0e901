from enum import StrEnum


class NotificationEvent(StrEnum):
    AGENT_CANCELLED = "agent.cancelled"
    AGENT_EVALUATING = "agent.evaluating"
    AGENT_FAILED = "agent.failed"
    AGENT_FETCHING_DATA = "agent.fetching_data"
    AGENT_QUEUED = "agent.queued"
    AGENT_READY = "agent.ready"
    AGENT_TRAINING = "agent.training"
    AGENT_VALIDATING = "agent.validating"

    def __str__(self) -> str:
        return str(self.value)

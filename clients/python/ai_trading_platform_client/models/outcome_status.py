from enum import StrEnum


class OutcomeStatus(StrEnum):
    PENDING = "pending"
    REALISED = "realised"
    UNRESOLVED = "unresolved"

    def __str__(self) -> str:
        return str(self.value)

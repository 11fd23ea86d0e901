from enum import StrEnum


class IntervalScore(StrEnum):
    ABSOLUTE = "absolute"
    NORMALISED = "normalised"

    def __str__(self) -> str:
        return str(self.value)

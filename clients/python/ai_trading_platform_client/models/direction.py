from enum import StrEnum


class Direction(StrEnum):
    LONG = "Long"
    SHORT = "Short"

    def __str__(self) -> str:
        return str(self.value)

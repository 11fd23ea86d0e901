from enum import StrEnum


class Skill(StrEnum):
    EDGE = "edge"
    NO_EDGE = "no_edge"

    def __str__(self) -> str:
        return str(self.value)

from enum import StrEnum


class RetrainWindow(StrEnum):
    EXPANDING = "expanding"
    ROLLING = "rolling"

    def __str__(self) -> str:
        return str(self.value)

from enum import StrEnum


class VersionRole(StrEnum):
    CANDIDATE = "candidate"
    CHAMPION = "champion"
    RETIRED = "retired"

    def __str__(self) -> str:
        return str(self.value)

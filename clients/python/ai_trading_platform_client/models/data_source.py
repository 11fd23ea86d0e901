from enum import StrEnum


class DataSource(StrEnum):
    BLOOMBERG = "bloomberg"
    CSV = "csv"
    REFINITIV = "refinitiv"
    SAMPLE = "sample"
    SYNTHETIC = "synthetic"

    def __str__(self) -> str:
        return str(self.value)

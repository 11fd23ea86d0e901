from enum import StrEnum


class Architecture(StrEnum):
    AUTO = "auto"
    CNN = "CNN"
    LSTM = "LSTM"
    TRANSFORMER = "Transformer"

    def __str__(self) -> str:
        return str(self.value)

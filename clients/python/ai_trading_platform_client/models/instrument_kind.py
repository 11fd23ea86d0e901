from enum import StrEnum


class InstrumentKind(StrEnum):
    EQUITY = "equity"
    FX = "fx"
    INDEX = "index"

    def __str__(self) -> str:
        return str(self.value)

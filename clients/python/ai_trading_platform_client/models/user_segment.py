from enum import StrEnum


class UserSegment(StrEnum):
    INVESTOR = "investor"
    MANAGER = "manager"
    QUANT = "quant"
    SHORT_TERM_TRADER = "short_term_trader"

    def __str__(self) -> str:
        return str(self.value)

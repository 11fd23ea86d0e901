from enum import StrEnum


class TradeSignal(StrEnum):
    ENTER = "Enter"
    EXIT = "Exit"
    HOLD = "Hold"

    def __str__(self) -> str:
        return str(self.value)

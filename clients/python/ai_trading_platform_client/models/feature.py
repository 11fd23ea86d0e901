from enum import StrEnum


class Feature(StrEnum):
    ATR = "ATR"
    BBANDS = "BBANDS"
    EMA = "EMA"
    MACD = "MACD"
    OBV = "OBV"
    RETURNS = "returns"
    RSI = "RSI"
    SMA = "SMA"
    VOLATILITY = "volatility"
    VWAP = "VWAP"

    def __str__(self) -> str:
        return str(self.value)

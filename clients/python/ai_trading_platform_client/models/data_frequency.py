from enum import StrEnum


class DataFrequency(StrEnum):
    DAY_1 = "1d"
    HOUR_1 = "1h"
    MINUTE_1 = "1min"
    MINUTE_15 = "15min"
    MINUTE_30 = "30min"
    MINUTE_5 = "5min"
    WEEK_1 = "1wk"

    def __str__(self) -> str:
        return str(self.value)

"""Bar files under DATA_DIR: vendor exports load; every malformed file says why.

Exports in other layouts (MetaTrader, `;`-separated, time zones, Yahoo's adjustment):
test_csv_exports.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from app.errors import Unprocessable
from app.services.market_data.base import BAR_SCHEMA, MarketDataError
from app.services.market_data.csv_files import CsvProvider

ALL_TIME = (datetime(1990, 1, 1, tzinfo=UTC), datetime(2040, 1, 1, tzinfo=UTC))


def write(data_dir: Path, frequency: str, name: str, text: str) -> Path:
    path = data_dir / frequency / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def read(data_dir: Path, symbol: str, frequency: str = "1d") -> pl.DataFrame:
    return CsvProvider(data_dir, adjust_prices=False).read_bars(symbol, frequency, *ALL_TIME)


def error_of(data_dir: Path, symbol: str, frequency: str = "1d") -> str:
    with pytest.raises(MarketDataError) as caught:
        read(data_dir, symbol, frequency)
    assert caught.value.status_code == 422
    return caught.value.message


VENDOR_EXPORT = """Date,Open,High,Low,Close,Adj Close,Volume
2024-01-04,182.15,183.09,180.88,181.91,181.40,71983600
2024-01-03,184.22,185.88,183.43,184.25,183.73,58414500
2024-01-02,187.15,188.44,183.89,185.64,185.12,82488700
"""


def test_vendor_export_loads_as_is_with_traded_prices_when_asked(tmp_path: Path) -> None:
    write(tmp_path, "1d", "AAPL.csv", VENDOR_EXPORT)
    bars = read(tmp_path, "aapl")
    assert bars.schema == pl.Schema(BAR_SCHEMA)
    assert bars["timestamp"].to_list() == [
        datetime(2024, 1, day, tzinfo=UTC) for day in (2, 3, 4)
    ]  # sorted although the export is newest first
    assert bars["close"].to_list() == [185.64, 184.25, 181.91]  # Close: not adjusted
    assert bars["volume"][0] == 82488700.0


def test_our_own_format_with_iso_times_offsets_and_naive_declared_utc(tmp_path: Path) -> None:
    write(tmp_path, "1min", "MSFT.csv.json", '{"timezone": "UTC"}')
    write(
        tmp_path,
        "1min",
        "MSFT.csv",
        """timestamp,open,high,low,close,volume
2024-01-02T14:30:00Z,1,2,0.5,1.5,10
2024-01-02 09:31:00-05:00,1,2,0.5,1.5,11
2024-01-02 14:32,1,2,0.5,1.5,12
2024-01-02T14:33:00.250000,1,2,0.5,1.5,13
""",
    )
    bars = read(tmp_path, "MSFT", "1min")
    minutes = [(t.minute, t.microsecond) for t in bars["timestamp"]]
    assert minutes == [(30, 0), (31, 0), (32, 0), (33, 250000)]
    assert all(t.hour == 14 and t.tzinfo is not None for t in bars["timestamp"])


def test_headers_match_case_insensitively_and_extra_columns_are_ignored(tmp_path: Path) -> None:
    write(
        tmp_path,
        "1d",
        "IBM.csv",
        " DATETIME ,VOLUME,CLOSE,low,High,oPeN,Dividends\n2024-01-02,5,10,9,11,9.5,0\n",
    )
    bars = read(tmp_path, "IBM")
    assert bars.row(0) == (datetime(2024, 1, 2, tzinfo=UTC), 9.5, 11.0, 9.0, 10.0, 5.0)


def test_range_filter_is_inclusive(tmp_path: Path) -> None:
    write(tmp_path, "1d", "AAPL.csv", VENDOR_EXPORT)
    bars = CsvProvider(tmp_path).read_bars(
        "AAPL", "1d", datetime(2024, 1, 3, tzinfo=UTC), datetime(2024, 1, 4, tzinfo=UTC)
    )
    assert bars.height == 2


def test_parquet_files_load(tmp_path: Path) -> None:
    (tmp_path / "1h").mkdir()
    pl.DataFrame(
        {
            "Timestamp": [datetime(2024, 1, 2, 15, 30), datetime(2024, 1, 2, 14, 30)],
            "Open": [1.0, 1.1],
            "High": [2.0, 2.1],
            "Low": [0.5, 0.6],
            "Close": [1.5, 1.6],
            "Volume": [100, 200],
        }
    ).write_parquet(tmp_path / "1h" / "AMD.parquet")
    (tmp_path / "1h" / "AMD.parquet.json").write_text('{"timezone": "UTC"}')
    bars = read(tmp_path, "AMD", "1h")
    assert bars["timestamp"].to_list() == [
        datetime(2024, 1, 2, 14, 30, tzinfo=UTC),
        datetime(2024, 1, 2, 15, 30, tzinfo=UTC),
    ]
    assert bars["volume"].to_list() == [200.0, 100.0]


async def test_provider_reads_asynchronously(tmp_path: Path) -> None:
    write(tmp_path, "1d", "AAPL.csv", VENDOR_EXPORT)
    bars = await CsvProvider(tmp_path).fetch_bars("AAPL", "1d", *ALL_TIME)
    assert bars.height == 3


def test_missing_file_names_the_expected_path(tmp_path: Path) -> None:
    message = error_of(tmp_path, "TSLA", "5min")
    assert "5min/TSLA.csv" in message and "5min/TSLA.parquet" in message
    assert "DATA_DIR" in message and str(tmp_path) not in message


def test_missing_columns_are_named(tmp_path: Path) -> None:
    write(tmp_path, "1d", "AAPL.csv", "Date,Open,Close\n2024-01-02,1,2\n")
    message = error_of(tmp_path, "AAPL")
    assert "lacks the column(s) high, low;" in message  # volume is optional (FX)
    assert "its header has 'Date', 'Open', 'Close'" in message


def test_missing_time_column_is_named(tmp_path: Path) -> None:
    write(tmp_path, "1d", "AAPL.csv", "Day,Open,High,Low,Close,Volume\n2024-01-02,1,2,0.5,1,5\n")
    assert "timestamp (or date/datetime)" in error_of(tmp_path, "AAPL")


def test_unparsable_timestamp_names_its_line(tmp_path: Path) -> None:
    write(tmp_path, "1d", "AAPL.csv", VENDOR_EXPORT + "02/01/2024,1,2,0.5,1,1,5\n")
    message = error_of(tmp_path, "AAPL")
    assert "unreadable timestamp in line 5" in message and "'02/01/2024'" in message


def test_non_numeric_value_names_its_column_and_line(tmp_path: Path) -> None:
    write(tmp_path, "1d", "AAPL.csv", VENDOR_EXPORT.replace("184.25,183.73", "n/a,183.73"))
    message = error_of(tmp_path, "AAPL")
    assert "column 'close' is not a number in line 3" in message and "'n/a'" in message


def test_empty_value_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "1d", "AAPL.csv", "Date,Open,High,Low,Close,Volume\n2024-01-02,1,2,0.5,1,\n")
    assert "column 'volume' is not a number in line 2 (first: an empty value)" in error_of(
        tmp_path, "AAPL"
    )


def test_date_only_is_refused_for_intraday_files(tmp_path: Path) -> None:
    write(
        tmp_path,
        "1min",
        "AAPL.csv",
        "timestamp,open,high,low,close,volume\n"
        "2024-01-02T14:30:00Z,1,2,0.5,1,5\n2024-01-02,1,2,0.5,1,5\n",
    )
    assert "a date without a time of day in line 3" in error_of(tmp_path, "AAPL", "1min")


def test_duplicate_timestamps_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "1d", "AAPL.csv", VENDOR_EXPORT + "2024-01-03,1,2,0.5,1,1,5\n")
    message = error_of(tmp_path, "AAPL")
    assert "2024-01-03" in message and "more than once" in message and "lines 3, 5" in message


def test_ragged_file_is_refused_with_the_file_name(tmp_path: Path) -> None:
    write(tmp_path, "1d", "AAPL.csv", "Date,Open,High,Low,Close,Volume\n2024-01-02,1,2\n")
    assert "1d/AAPL" in error_of(tmp_path, "AAPL")


def test_a_symbol_cannot_escape_data_dir(tmp_path: Path) -> None:
    with pytest.raises(Unprocessable) as caught:
        read(tmp_path, "../../etc/passwd")
    assert caught.value.details[0]["loc"] == ["symbol"]

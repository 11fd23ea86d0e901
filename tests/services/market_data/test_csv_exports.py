"""Files as traders export them: Yahoo, MetaTrader 4/5, `;` and tab separators, local
times, no volume; and the messages of files that cannot be read."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from pydantic import ValidationError

from app.config import Settings
from app.services.market_data.base import BAR_SCHEMA, MarketDataError, get_provider
from app.services.market_data.csv_files import CsvProvider

ALL_TIME = (datetime(1990, 1, 1, tzinfo=UTC), datetime(2040, 1, 1, tzinfo=UTC))


def write(data_dir: Path, frequency: str, name: str, text: str, encoding: str = "utf-8") -> None:
    path = data_dir / frequency / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))


def read(provider: CsvProvider, symbol: str, frequency: str) -> pl.DataFrame:
    bars = provider.read_bars(symbol, frequency, *ALL_TIME)
    assert bars.schema == pl.Schema(BAR_SCHEMA)
    return bars


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def error_of(provider: CsvProvider, symbol: str, frequency: str) -> str:
    with pytest.raises(MarketDataError) as caught:
        provider.read_bars(symbol, frequency, *ALL_TIME)
    return caught.value.message


# -- time zones --------------------------------------------------------------------------

PLAIN = "timestamp,open,high,low,close,volume\n"


def test_naive_intraday_times_are_new_york_by_default(tmp_path: Path) -> None:
    write(
        tmp_path,
        "1min",
        "AAPL.csv",
        PLAIN + "2024-01-02 09:30,1,2,0.5,1.5,10\n2024-07-01T09:30:00,1,2,0.5,1.5,10\n"
        "2024-07-01T09:31:00-04:00,1,2,0.5,1.5,10\n",
    )
    provider = CsvProvider(tmp_path)
    stamps = read(provider, "AAPL", "1min")["timestamp"].to_list()
    # EST in January (UTC-5), EDT in July (UTC-4); an offset in the file is kept.
    assert stamps == [utc(2024, 1, 2, 14, 30), utc(2024, 7, 1, 13, 30), utc(2024, 7, 1, 13, 31)]
    assert provider.data_notes("AAPL", "1min") == []


def test_a_sidecar_declares_the_files_zone(tmp_path: Path) -> None:
    write(tmp_path, "1h", "VOD.L.csv", PLAIN + "2024-07-01 08:00,1,2,0.5,1.5,10\n")
    write(tmp_path, "1h", "VOD.L.csv.json", '{"timezone": "Europe/London"}')
    write(tmp_path, "1h", "7203.T.csv", PLAIN + "2024-07-01 09:00,1,2,0.5,1.5,10\n")
    provider = CsvProvider(tmp_path, timezone="Asia/Tokyo")  # CSV_TIMEZONE
    assert read(provider, "VOD.L", "1h")["timestamp"][0] == utc(2024, 7, 1, 7)  # BST
    assert read(provider, "7203.T", "1h")["timestamp"][0] == utc(2024, 7, 1, 0)  # JST


def test_dates_of_daily_files_stay_midnight_utc(tmp_path: Path) -> None:
    write(tmp_path, "1d", "AAPL.csv", PLAIN + "2024-01-02,1,2,0.5,1.5,10\n")
    assert read(CsvProvider(tmp_path), "AAPL", "1d")["timestamp"][0] == utc(2024, 1, 2)


def test_the_repeated_hour_at_a_dst_fall_back_follows_file_order(tmp_path: Path) -> None:
    rows = ["2024-11-03 00:30", "2024-11-03 01:30", "2024-11-03 01:30", "2024-11-03 02:30"]
    expected = [utc(2024, 11, 3, h, 30) for h in (4, 5, 6, 7)]
    body = "".join(f"{r},1,2,0.5,1.5,10\n" for r in rows)
    write(tmp_path, "1h", "AAPL.csv", PLAIN + body)
    assert read(CsvProvider(tmp_path), "AAPL", "1h")["timestamp"].to_list() == expected
    newest_first = "".join(f"{r},1,2,0.5,1.5,10\n" for r in reversed(rows))
    write(tmp_path, "1h", "MSFT.csv", PLAIN + newest_first)
    assert read(CsvProvider(tmp_path), "MSFT", "1h")["timestamp"].to_list() == expected


def test_a_time_the_zone_skips_means_the_zone_is_wrong(tmp_path: Path) -> None:
    body = "2024-03-10 01:00,1,2,0.5,1.5,10\n2024-03-10 02:00,1,2,0.5,1.5,10\n"
    write(tmp_path, "1h", "EURUSD.csv", PLAIN + body)
    # CSV_TIMEZONE declared New York (undeclared, EURUSD's zone would be UTC's).
    message = error_of(CsvProvider(tmp_path, timezone="America/New_York"), "EURUSD", "1h")
    assert "do not exist in America/New_York, whose clocks skip them, in line 3" in message
    assert "(first: 2024-03-10 02:00)" in message
    assert "1h/EURUSD.csv.json" in message and '"timezone"' in message


def test_epoch_seconds_and_milliseconds_are_utc(tmp_path: Path) -> None:
    write(
        tmp_path,
        "1min",
        "BTC.csv",
        PLAIN + "1704205800,1,2,0.5,1.5,10\n1704205860000,1,2,0.5,1.5,10\n"
        "1704205920.5,1,2,0.5,1.5,10\n",
    )
    stamps = read(CsvProvider(tmp_path), "BTC", "1min")["timestamp"].to_list()
    assert stamps == [
        utc(2024, 1, 2, 14, 30),
        utc(2024, 1, 2, 14, 31),
        datetime(2024, 1, 2, 14, 32, 0, 500000, tzinfo=UTC),
    ]


# -- layouts -----------------------------------------------------------------------------


def test_separate_date_and_time_columns(tmp_path: Path) -> None:
    write(
        tmp_path,
        "5min",
        "IBM.csv",
        "Date,Time,Open,High,Low,Close,Volume\n"
        "2024-01-02,09:30,1,2,0.5,1.5,10\n2024-01-02,9:35:00,1,2,0.5,1.5,10\n",
    )
    stamps = read(CsvProvider(tmp_path), "IBM", "5min")["timestamp"].to_list()
    assert stamps == [utc(2024, 1, 2, 14, 30), utc(2024, 1, 2, 14, 35)]


def test_metatrader_4_export_without_header(tmp_path: Path) -> None:
    write(
        tmp_path,
        "1h",
        "EURUSD.csv",
        "2024.01.02,09:00,1.10120,1.10200,1.10080,1.10150,240\n"
        "2024.01.02,10:00,1.10150,1.10300,1.10100,1.10250,310\n",
    )
    write(tmp_path, "1h", "EURUSD.csv.json", '{"timezone": "Europe/Athens"}')
    provider = CsvProvider(tmp_path)
    bars = read(provider, "EURUSD", "1h")
    assert bars["timestamp"].to_list() == [utc(2024, 1, 2, 7), utc(2024, 1, 2, 8)]  # UTC+2
    assert bars.row(1)[1:] == (1.1015, 1.103, 1.101, 1.1025, 310.0)
    assert provider.data_notes("eurusd", "1h") == []  # the zone was declared


def test_metatrader_4_without_a_declared_zone_says_what_it_assumed(tmp_path: Path) -> None:
    write(tmp_path, "1h", "EURUSD.csv", "2024.01.02,09:00,1.1,1.2,1.0,1.15,240\n")
    provider = CsvProvider(tmp_path)  # no CSV_TIMEZONE: EURUSD's zone (FX: UTC)
    assert read(provider, "EURUSD", "1h")["timestamp"][0] == utc(2024, 1, 2, 9)
    (note,) = provider.data_notes("EURUSD", "1h")
    assert "broker's server time" in note and "read as UTC" in note
    assert "the zone of its instrument's exchange" in note
    declared = CsvProvider(tmp_path, timezone="America/New_York")
    assert read(declared, "EURUSD", "1h")["timestamp"][0] == utc(2024, 1, 2, 14)
    (note,) = declared.data_notes("EURUSD", "1h")
    assert "America/New_York (CSV_TIMEZONE)" in note
    assert "1h/EURUSD.csv.json" in note


def test_metatrader_4_daily_export(tmp_path: Path) -> None:
    write(tmp_path, "1d", "EURUSD.csv", "2024.01.02,00:00,1.1,1.2,1.0,1.15,24000\n")
    provider = CsvProvider(tmp_path)
    assert read(provider, "EURUSD", "1d")["timestamp"][0] == utc(2024, 1, 2)
    assert provider.data_notes("EURUSD", "1d") == []


MT5_HEADER = "<DATE>\t<TIME>\t<OPEN>\t<HIGH>\t<LOW>\t<CLOSE>\t<TICKVOL>\t<VOL>\t<SPREAD>\n"


def test_metatrader_5_export_utf16_with_tick_volume(tmp_path: Path) -> None:
    text = (
        MT5_HEADER + "2024.01.02\t09:00:00\t1.10120\t1.10200\t1.10080\t1.10150\t1532\t0\t5\n"
        "2024.01.02\t10:00:00\t1.10150\t1.10300\t1.10100\t1.10250\t1720\t0\t4\n"
    )
    write(tmp_path, "1h", "EURUSD.csv", text, encoding="utf-16")  # as MetaTrader 5 saves
    write(tmp_path, "1h", "EURUSD.csv.json", '{"timezone": "UTC"}')
    provider = CsvProvider(tmp_path)
    bars = read(provider, "EURUSD", "1h")
    assert bars["timestamp"].to_list() == [utc(2024, 1, 2, 9), utc(2024, 1, 2, 10)]
    assert bars["volume"].to_list() == [1532.0, 1720.0]
    (note,) = provider.data_notes("EURUSD", "1h")
    assert "tick volume" in note


def test_metatrader_5_daily_export_with_real_volume(tmp_path: Path) -> None:
    write(
        tmp_path,
        "1d",
        "AAPL.csv",
        "<DATE>\t<OPEN>\t<HIGH>\t<LOW>\t<CLOSE>\t<TICKVOL>\t<VOL>\t<SPREAD>\n"
        "2024.01.02\t187.15\t188.44\t183.89\t185.64\t90210\t82488700\t1\n",
    )
    provider = CsvProvider(tmp_path)
    bars = read(provider, "AAPL", "1d")
    assert bars.row(0) == (utc(2024, 1, 2), 187.15, 188.44, 183.89, 185.64, 82488700.0)
    assert provider.data_notes("AAPL", "1d") == []


def test_european_semicolon_file_with_decimal_commas(tmp_path: Path) -> None:
    write(
        tmp_path,
        "15min",
        "SAP.DE.csv",
        "Date;Time;Open;High;Low;Close;Volume\n"
        "02.01.2024;09:00;138,50;139,02;138,10;138,96;1234\n"
        "02.01.2024;09:15;138,96;139,40;138,80;139,10;2.345,5\n",
    )
    write(tmp_path, "15min", "SAP.DE.csv.json", '{"timezone": "Europe/Berlin"}')
    bars = read(CsvProvider(tmp_path), "SAP.DE", "15min")
    assert bars.row(0) == (utc(2024, 1, 2, 8), 138.5, 139.02, 138.1, 138.96, 1234.0)
    assert bars.row(1)[-1] == 2345.5  # "2.345,5": dots group thousands


def test_tab_separated_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        "1d",
        "MSFT.csv",
        "Date\tOpen\tHigh\tLow\tClose\tVolume\n20240102\t370.5\t371.2\t366.5\t370.87\t25258600\n",
    )
    assert read(CsvProvider(tmp_path), "MSFT", "1d").row(0) == (
        utc(2024, 1, 2),
        370.5,
        371.2,
        366.5,
        370.87,
        25258600.0,
    )


# -- Yahoo's Adj Close, and files without volume ----------------------------------------

YAHOO = """Date,Open,High,Low,Close,Adj Close,Volume
2024-01-03,184.22,185.88,183.43,184.25,92.125,58414500
2024-01-02,187.15,188.44,183.89,185.64,185.64,82488700
"""


def test_yahoo_export_is_adjusted_by_default(tmp_path: Path) -> None:
    write(tmp_path, "1d", "AAPL.csv", YAHOO)
    provider = CsvProvider(tmp_path)
    bars = read(provider, "AAPL", "1d")
    # 2024-01-02: factor 1; 2024-01-03: Adj Close is half of Close (a 2-for-1 split after).
    assert bars.row(0) == (utc(2024, 1, 2), 187.15, 188.44, 183.89, 185.64, 82488700.0)
    assert bars["timestamp"][1] == utc(2024, 1, 3)
    assert bars.row(1)[1:] == pytest.approx((92.11, 92.94, 91.715, 92.125, 116829000.0))
    (note,) = provider.data_notes("AAPL", "1d")
    assert "adjusted for splits and dividends" in note and "CSV_ADJUST_PRICES=false" in note


def test_yahoo_export_keeps_traded_prices_when_asked(tmp_path: Path) -> None:
    write(tmp_path, "1d", "AAPL.csv", YAHOO)
    raw = CsvProvider(tmp_path, adjust_prices=False)
    assert read(raw, "AAPL", "1d")["close"].to_list() == [185.64, 184.25]
    assert raw.data_notes("AAPL", "1d") == []
    write(tmp_path, "1d", "AAPL.csv.json", '{"adjust_prices": false}')  # per file
    assert read(CsvProvider(tmp_path), "AAPL", "1d")["close"].to_list() == [185.64, 184.25]


def test_settings_reach_the_provider(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, csv_timezone="Europe/London", csv_adjust_prices=False, _env_file=None
    )
    provider = get_provider("csv", settings)
    assert isinstance(provider, CsvProvider)
    assert (provider.timezone, provider.adjust_prices) == ("Europe/London", False)
    with pytest.raises(ValidationError, match="CSV_TIMEZONE"):
        Settings(csv_timezone="Mars/Olympus", _env_file=None)


def test_fx_file_without_volume(tmp_path: Path) -> None:
    write(tmp_path, "1d", "EURUSD=.csv", "Date,Open,High,Low,Close\n2024-01-02,1.1,1.2,1.0,1.15\n")
    provider = CsvProvider(tmp_path)
    assert read(provider, "EURUSD=", "1d")["volume"].to_list() == [0.0]
    (note,) = provider.data_notes("EURUSD=", "1d")
    assert "no volume column" in note and "OBV, VWAP" in note


# -- files that cannot be read -----------------------------------------------------------


def test_headerless_file_that_is_not_metatrader(tmp_path: Path) -> None:
    write(tmp_path, "1d", "AAPL.csv", "2024-01-02,1,2,0.5,1.5,10\n")
    message = error_of(CsvProvider(tmp_path), "AAPL", "1d")
    assert "1d/AAPL.csv has no header row: its first line is '2024-01-02,1,2,0.5,1.5,10'" in (
        message
    )
    assert "timestamp,open,high,low,close,volume" in message and "MetaTrader 4" in message


def test_missing_close_names_what_was_found(tmp_path: Path) -> None:
    write(tmp_path, "1d", "AAPL.csv", "Date;Open;High;Low;Last\n02.01.2024;1;2;0,5;1,5\n")
    message = error_of(CsvProvider(tmp_path), "AAPL", "1d")
    assert "lacks the column(s) close" in message
    assert "read as semicolon-separated, its header has 'Date', 'Open', 'High'" in message
    assert "docs/MARKET_DATA.md" in message


def test_one_column_header_suggests_a_separator(tmp_path: Path) -> None:
    write(tmp_path, "1d", "AAPL.csv", "Date|Open|High|Low|Close\n2024-01-02|1|2|0.5|1.5\n")
    message = error_of(CsvProvider(tmp_path), "AAPL", "1d")
    assert "reads as one column" in message and "';'" in message


def test_ambiguous_slash_dates_are_refused_with_the_fix(tmp_path: Path) -> None:
    write(tmp_path, "1d", "AAPL.csv", "Date,Open,High,Low,Close\n02/01/2024,1,2,0.5,1.5\n")
    message = error_of(CsvProvider(tmp_path), "AAPL", "1d")
    assert "unreadable timestamp in line 2 (first: '02/01/2024')" in message
    assert "rewrite them as 2024-01-02" in message


def test_bad_value_in_a_headerless_file_names_its_line(tmp_path: Path) -> None:
    write(
        tmp_path,
        "1h",
        "EURUSD.csv",
        "2024.01.02,09:00,1.1,1.2,1.0,1.15,240\n2024.01.02,10:00,1.1,1.2,x,1.15,240\n",
    )
    message = error_of(CsvProvider(tmp_path), "EURUSD", "1h")
    assert "column 'low' is not a number in line 2 (first: 'x')" in message


@pytest.mark.parametrize(
    ("sidecar", "expected"),
    [
        ('{"timezone": "Europe/Londn"}', "'Europe/Londn' is not an IANA time zone"),
        ('{"tz": "UTC"}', "unknown key(s) tz; allowed: timezone, adjust_prices"),
        ('{"adjust_prices": "no"}', "'adjust_prices' must be true or false"),
        ('["UTC"]', "must hold a JSON object"),
        ("{timezone: UTC}", "1d/AAPL.csv.json could not be read"),
    ],
)
def test_bad_sidecars_are_refused(tmp_path: Path, sidecar: str, expected: str) -> None:
    write(tmp_path, "1d", "AAPL.csv", YAHOO)
    write(tmp_path, "1d", "AAPL.csv.json", sidecar)
    message = error_of(CsvProvider(tmp_path), "AAPL", "1d")
    assert "1d/AAPL.csv.json" in message and expected in message


def test_empty_file(tmp_path: Path) -> None:
    write(tmp_path, "1d", "AAPL.csv", "")
    assert "1d/AAPL.csv is empty" in error_of(CsvProvider(tmp_path), "AAPL", "1d")


def test_an_unknown_default_zone_is_refused() -> None:
    with pytest.raises(MarketDataError, match="CSV_TIMEZONE 'New York' is not an IANA"):
        CsvProvider(Path("."), timezone="New York")

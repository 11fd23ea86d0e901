"""Picking a provider by `data_source`, and the early 422 for unusable sources."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from app.config import Settings
from app.errors import Unprocessable
from app.services.market_data import (
    DATA_SOURCES,
    DataSourceNotConfigured,
    MarketDataProvider,
    ensure_configured,
    get_provider,
)
from app.services.market_data.csv_files import CsvProvider
from app.services.market_data.refinitiv import RefinitivProvider
from app.services.market_data.synthetic import SyntheticProvider

NO_VENDORS = {
    "refinitiv_app_key": None,
    "refinitiv_username": None,
    "refinitiv_password": None,
    "refinitiv_client_id": None,
    "refinitiv_client_secret": None,
    "bloomberg_host": None,
}


def plain(**overrides: object) -> Settings:
    return Settings(_env_file=None, **{**NO_VENDORS, **overrides})  # type: ignore[arg-type]


def test_known_sources() -> None:
    assert DATA_SOURCES == ("synthetic", "csv", "refinitiv", "bloomberg", "sample")


def test_embedded_sources_need_no_configuration(tmp_path: Path) -> None:
    synthetic = get_provider("synthetic", plain())
    files = get_provider("CSV", plain(data_dir=tmp_path))
    assert isinstance(synthetic, SyntheticProvider) and isinstance(synthetic, MarketDataProvider)
    assert isinstance(files, CsvProvider) and files.data_dir == tmp_path


def test_unknown_source_lists_the_allowed_ones() -> None:
    with pytest.raises(Unprocessable) as caught:
        ensure_configured("yahoo", plain())
    assert caught.value.status_code == 422
    assert "synthetic, csv, refinitiv, bloomberg, sample" in caught.value.message
    assert caught.value.details[0]["loc"] == ["data_source"]


def test_unconfigured_refinitiv_is_a_422_saying_what_to_set() -> None:
    with pytest.raises(DataSourceNotConfigured) as caught:
        ensure_configured("refinitiv", plain())
    assert caught.value.status_code == 422
    assert caught.value.code == "data_source_not_configured"
    assert caught.value.message == (
        "refinitiv is not configured: set REFINITIV_APP_KEY, REFINITIV_USERNAME and "
        "REFINITIV_PASSWORD (or REFINITIV_CLIENT_ID and REFINITIV_CLIENT_SECRET)"
    )
    assert caught.value.details[0]["loc"] == ["data_source"]
    with pytest.raises(DataSourceNotConfigured):
        get_provider("refinitiv", plain(refinitiv_app_key="only-the-key"))


def test_configured_refinitiv_gives_its_provider() -> None:
    provider = get_provider(
        "refinitiv", plain(refinitiv_client_id="c", refinitiv_client_secret="s")
    )
    assert isinstance(provider, RefinitivProvider)
    assert provider.client.credentials.grant == "client_credentials"


def test_unconfigured_bloomberg_is_a_422_saying_what_to_set() -> None:
    with pytest.raises(DataSourceNotConfigured) as caught:
        get_provider("bloomberg", plain())
    assert "BLOOMBERG_HOST" in caught.value.message
    # with a host but no blpapi package, it still says what is missing
    if importlib.util.find_spec("blpapi") is None:
        with pytest.raises(DataSourceNotConfigured, match="blpapi"):
            ensure_configured("bloomberg", plain(bloomberg_host="10.0.0.5"))


def test_sample_source_depends_on_its_package() -> None:
    if importlib.util.find_spec("bokeh_sampledata") is None:
        with pytest.raises(DataSourceNotConfigured, match="pip install bokeh-sampledata"):
            ensure_configured("sample", plain())
    else:
        ensure_configured("sample", plain())
        assert get_provider("sample", plain()).name == "sample"

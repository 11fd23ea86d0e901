from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, Generator, TextIO, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.instrument_kind import InstrumentKind
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.instrument_shape_vendor_codes import InstrumentShapeVendorCodes


T = TypeVar("T", bound="InstrumentShape")


@_attrs_define
class InstrumentShape:
    """The instrument an agent's symbol resolved to (`app.core.instruments`); an
    agent from before instruments has the one its symbol resolves to today.

        Attributes:
            symbol (str | Unset): Display symbol: AAPL, BRK.B, VOD.L, ^SPX, EURUSD.
            kind (InstrumentKind | Unset): What an instrument is: a share, an index or a currency pair.
            entered (str | Unset): The symbol as typed, canonically spelled.
            vendor_codes (InstrumentShapeVendorCodes | Unset): The code each data source is asked for (RIC, Bloomberg
                security, file name, ticker).
            mic (None | str | Unset): ISO 10383 MIC; null when no venue is named.
            exchange (str | Unset):
            currency (str | Unset): The unit prices are quoted in (ISO 4217; GBX: pence).
            amount_currency (str | Unset): The currency of amounts (max_loss, equity): GBP for GBX.
            price_divisor (int | Unset): Price units per unit of amount_currency (100 for GBX).
            timezone (str | Unset): IANA time zone of the exchange.
            calendar (str | Unset): exchange-calendars name (XNYS, XLON, 24/5).
            tick_size (float | Unset):
    """

    symbol: str | Unset = UNSET
    kind: InstrumentKind | Unset = UNSET
    entered: str | Unset = UNSET
    vendor_codes: InstrumentShapeVendorCodes | Unset = UNSET
    mic: None | str | Unset = UNSET
    exchange: str | Unset = UNSET
    currency: str | Unset = UNSET
    amount_currency: str | Unset = UNSET
    price_divisor: int | Unset = UNSET
    timezone: str | Unset = UNSET
    calendar: str | Unset = UNSET
    tick_size: float | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.instrument_shape_vendor_codes import InstrumentShapeVendorCodes  # noqa: PLC0415

        symbol = self.symbol

        kind: str | Unset = UNSET
        if not isinstance(self.kind, Unset):
            kind = self.kind.value

        entered = self.entered

        vendor_codes: dict[str, Any] | Unset = UNSET
        if not isinstance(self.vendor_codes, Unset):
            vendor_codes = self.vendor_codes.to_dict()

        mic: None | str | Unset
        if isinstance(self.mic, Unset):
            mic = UNSET
        else:
            mic = self.mic

        exchange = self.exchange

        currency = self.currency

        amount_currency = self.amount_currency

        price_divisor = self.price_divisor

        timezone = self.timezone

        calendar = self.calendar

        tick_size = self.tick_size

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if symbol is not UNSET:
            field_dict["symbol"] = symbol
        if kind is not UNSET:
            field_dict["kind"] = kind
        if entered is not UNSET:
            field_dict["entered"] = entered
        if vendor_codes is not UNSET:
            field_dict["vendor_codes"] = vendor_codes
        if mic is not UNSET:
            field_dict["mic"] = mic
        if exchange is not UNSET:
            field_dict["exchange"] = exchange
        if currency is not UNSET:
            field_dict["currency"] = currency
        if amount_currency is not UNSET:
            field_dict["amount_currency"] = amount_currency
        if price_divisor is not UNSET:
            field_dict["price_divisor"] = price_divisor
        if timezone is not UNSET:
            field_dict["timezone"] = timezone
        if calendar is not UNSET:
            field_dict["calendar"] = calendar
        if tick_size is not UNSET:
            field_dict["tick_size"] = tick_size

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.instrument_shape_vendor_codes import InstrumentShapeVendorCodes  # noqa: PLC0415

        d = dict(src_dict)
        symbol = d.pop("symbol", UNSET)

        _kind = d.pop("kind", UNSET)
        kind: InstrumentKind | Unset
        if isinstance(_kind, Unset):
            kind = UNSET
        else:
            kind = InstrumentKind(_kind)

        entered = d.pop("entered", UNSET)

        _vendor_codes = d.pop("vendor_codes", UNSET)
        vendor_codes: InstrumentShapeVendorCodes | Unset
        if isinstance(_vendor_codes, Unset):
            vendor_codes = UNSET
        else:
            vendor_codes = InstrumentShapeVendorCodes.from_dict(_vendor_codes)

        def _parse_mic(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        mic = _parse_mic(d.pop("mic", UNSET))

        exchange = d.pop("exchange", UNSET)

        currency = d.pop("currency", UNSET)

        amount_currency = d.pop("amount_currency", UNSET)

        price_divisor = d.pop("price_divisor", UNSET)

        timezone = d.pop("timezone", UNSET)

        calendar = d.pop("calendar", UNSET)

        tick_size = d.pop("tick_size", UNSET)

        instrument_shape = cls(
            symbol=symbol,
            kind=kind,
            entered=entered,
            vendor_codes=vendor_codes,
            mic=mic,
            exchange=exchange,
            currency=currency,
            amount_currency=amount_currency,
            price_divisor=price_divisor,
            timezone=timezone,
            calendar=calendar,
            tick_size=tick_size,
        )

        instrument_shape.additional_properties = d
        return instrument_shape

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties

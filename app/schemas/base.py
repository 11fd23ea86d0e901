"""What every answer model shares, and the typed view of a stored JSON column.

`Output` marks every field of an answer as required in the OpenAPI document: a
field with a default is always present in the JSON, so a generated client must not
type it optional. `Stored` types a JSON column in the document while the value
goes out exactly as it was stored (older rows with fewer keys stay readable and
their bytes do not change).
"""

from __future__ import annotations

from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    GetCoreSchemaHandler,
    TypeAdapter,
    ValidationError,
    with_config,
)
from pydantic_core import CoreSchema, core_schema


class Output(BaseModel):
    """Base of every response model."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)


class Stored:
    """`Annotated[dict[str, Any], Stored(Shape)]`: a stored JSON object documented as
    `Shape`, a TypedDict (keys an older row may lack are not required; unknown keys
    are kept). A row that fits the shape is read through it (its closed sets become
    enum members, which serialise as the same strings); one that does not is passed
    on as it is rather than failing the answer."""

    def __init__(self, shape: Any) -> None:
        self.shape = shape
        self._adapter: TypeAdapter[Any] | None = None

    def _read(self, value: Any) -> Any:
        if self._adapter is None:
            self._adapter = TypeAdapter(self.shape)
        try:
            return self._adapter.validate_python(value)
        except ValidationError:
            return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        described = handler.generate_schema(self.shape)
        return core_schema.no_info_after_validator_function(
            self._read,
            handler(source),
            json_schema_input_schema=described,
            serialization=core_schema.plain_serializer_function_ser_schema(
                _same, return_schema=described
            ),
        )


def _same(value: Any) -> Any:
    return value


def shape(cls: Any) -> Any:
    """Class decorator for a `Stored` TypedDict: unknown keys are kept, and `required`
    lists its required keys only (in an answer, `Output`'s setting would otherwise
    mark every key required, even those an older row lacks)."""

    def required_keys(schema: dict[str, Any]) -> None:
        keys = [k for k in schema.get("properties", {}) if k in cls.__required_keys__]
        if keys:
            schema["required"] = keys
        else:
            schema.pop("required", None)

    return with_config(ConfigDict(extra="allow", json_schema_extra=required_keys))(cls)

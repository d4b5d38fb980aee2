"""Column helpers shared by the models."""
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import Enum


def utcnow() -> datetime:
    """Now, as the naive UTC datetime the database stores."""
    return datetime.now(UTC).replace(tzinfo=None)


def str_enum(enum_class: type[StrEnum]) -> Enum:
    """A portable column type storing an enum's values (not its names) as short strings."""
    return Enum(
        enum_class,
        native_enum=False,
        length=max(len(m.value) for m in enum_class),
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
    )

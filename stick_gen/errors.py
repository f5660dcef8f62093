"""The one exception family of stick-gen: catch :class:`StickGenError`, or one of its subclasses.

>>> from stick_gen.errors import CheckpointError, StickGenError
>>> try:
...     raise CheckpointError("checkpoints/x.pt is empty: re-save it with `stick-gen train`")
... except StickGenError as err:
...     print(err.exit_code)
1

This is the public home of the family; the classes themselves are defined in :mod:`stick_gen.model.errors`
because ``model/``, ``inference/`` and ``data_gen/`` ship inside every published bundle without the rest of
the package and raise them there too (see docs/design.md, "Errors"). Both names are the same classes.
"""

from __future__ import annotations

from .model.errors import (
    CheckpointError,
    ConfigError,
    DataError,
    EncoderMismatchError,
    GenerationError,
    HubError,
    StickGenError,
    UnsafeCheckpointError,
    ValidationError,
)

__all__ = [
    "StickGenError",
    "ConfigError",
    "CheckpointError",
    "UnsafeCheckpointError",
    "EncoderMismatchError",
    "DataError",
    "ValidationError",
    "HubError",
    "GenerationError",
]

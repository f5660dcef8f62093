"""The base of stick-gen's named choices (checkpoint kinds, training methods, finding levels)."""

from __future__ import annotations

from enum import Enum


class ValueEnum(str, Enum):
    """A ``str`` enum that prints as its plain value, so messages and f-strings read ``lora``, not ``Kind.LORA``.

    Being a ``str``, a member equals its value (``Kind.LORA == "lora"``) and goes wherever a string goes; files
    still store ``.value``, because ``torch.load(weights_only=True)`` and ``yaml.safe_dump`` take plain types only.

    >>> class Colour(ValueEnum):
    ...     RED = "red"
    >>> Colour("red") is Colour.RED, Colour.RED == "red", f"{Colour.RED}", str(Colour.RED)
    (True, True, 'red', 'red')
    """

    def __str__(self) -> str:
        return self.value

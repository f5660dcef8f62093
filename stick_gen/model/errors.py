"""The one exception family of stick-gen.

Every error a user can cause (a bad file, a bad value, a refused upload) is a
:class:`StickGenError`; the CLI prints its message on one line and exits non-zero.
Messages name the file or value at fault and say what to do next.

Import them from :mod:`stick_gen.errors`, their public home. They are defined here, inside ``model/``,
because ``model/``, ``inference/`` and ``data_gen/`` ship in every published bundle without the rest
of the package and raise them there (relatively: ``from ..model.errors import GenerationError``).

>>> try:
...     raise CheckpointError("checkpoints/x.pt is empty: re-save it with `stick-gen train`")
... except StickGenError as err:
...     print(err.exit_code)
1
"""

from __future__ import annotations


class StickGenError(Exception):
    """Base class of every error stick-gen raises on purpose."""

    exit_code: int = 1


class ConfigError(StickGenError):
    """A configuration file or value is invalid (unknown key, wrong type, mismatch with a variant)."""


class CheckpointError(StickGenError):
    """A checkpoint or weight file is missing, damaged, of another variant or not a checkpoint at all."""


class UnsafeCheckpointError(CheckpointError):
    """A file holds a pickle that would run code or build arbitrary objects; it was refused unread."""


class EncoderMismatchError(CheckpointError):
    """A model was trained with one text encoder and is being used with another."""


class DataError(StickGenError):
    """A dataset on disk is missing, empty or inconsistent."""


class ValidationError(StickGenError):
    """Pre-upload validation found problems; the message lists them.

    Its own exit code (3): 2 is argparse's, for a command line it cannot parse.
    """

    exit_code = 3


class HubError(StickGenError):
    """The Hugging Face Hub refused or failed a request; the message says why and what to try."""


class GenerationError(StickGenError):
    """A prompt, output path or format cannot be used for generation."""

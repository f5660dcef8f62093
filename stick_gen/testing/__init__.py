"""Test infrastructure for stick-gen: a local Hugging Face Hub server and its client environment.

Nothing here is part of the product; see :mod:`stick_gen.testing.local_hub`.

>>> from stick_gen.testing import LocalHub, hub_environment
"""

from .local_hub import (
    COMMIT_PATH,
    LFS_UPLOAD_PATH,
    Fault,
    FaultPlan,
    FileEntry,
    HubUser,
    LocalHub,
    RequestRecord,
    hub_environment,
)

__all__ = [
    "COMMIT_PATH",
    "LFS_UPLOAD_PATH",
    "Fault",
    "FaultPlan",
    "FileEntry",
    "HubUser",
    "LocalHub",
    "RequestRecord",
    "hub_environment",
]

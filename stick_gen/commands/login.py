"""Log in to the Hugging Face Hub (the upload guide's `huggingface-cli login`; `hf auth login` also works).

examples:
  stick-gen login                 # paste your token when prompted (input hidden)
  stick-gen login --whoami        # which user the token in use belongs to

The token is checked with the Hub and stored where `hf auth login` stores it; every stick-gen
command and huggingface_hub then use it. It is never printed. `--token` is visible to other users of
this machine (prefer the prompt, or pipe it: `stick-gen login < token.txt`). Log out: `hf auth logout`.
"""

from __future__ import annotations

import argparse
import getpass
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--token", help="the token (visible to other users of this machine: prefer the prompt)")
    which.add_argument("--whoami", action="store_true", help="show which user the token in use belongs to")


def _read_token() -> str:
    if sys.stdin is None:
        return ""
    if not sys.stdin.isatty():  # piped in: one line
        return sys.stdin.readline()
    print("Get a write token at https://huggingface.co/settings/tokens")
    return getpass.getpass("Paste your token (input hidden): ")


def run(args: argparse.Namespace) -> int:
    from ..hub.login import current_user, store_token

    if args.whoami:
        print(current_user())
        return 0
    try:
        token = args.token if args.token is not None else _read_token()
    except EOFError:
        token = ""
    print(f"logged in as {store_token(token)} (token stored for huggingface_hub)")
    return 0

"""``huggingface-cli login``, as the spec's prerequisites type it.

huggingface_hub 1.0 renamed its command line to ``hf`` (``hf auth login``); stick-gen installs
this small ``huggingface-cli`` so the spec's ``huggingface-cli login`` (paste the token when
prompted) keeps working. It stores the token exactly where ``hf auth login`` does, through
huggingface_hub's own :func:`~huggingface_hub.login`, and never prints it.

    huggingface-cli login            # prompts: paste your token
    huggingface-cli login --token $TOKEN
    huggingface-cli whoami
    huggingface-cli logout
"""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="huggingface-cli",
                                     description="Log in to the Hugging Face Hub (the same store as `hf auth login`).")
    verbs = parser.add_subparsers(dest="verb", metavar="COMMAND")
    verbs.required = True
    login = verbs.add_parser("login", help="store a token (prompted for when --token is not given)")
    login.add_argument("--token", help="the token (visible to other users of this machine: prefer the prompt)")
    verbs.add_parser("whoami", help="show which user the stored token belongs to")
    verbs.add_parser("logout", help="remove the stored token")
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point of ``huggingface-cli``; returns the exit code."""
    args = build_parser().parse_args(argv)
    from huggingface_hub import login, logout, whoami
    from huggingface_hub.errors import HfHubHTTPError, LocalTokenNotFoundError

    try:
        if args.verb == "login":
            login(token=args.token or None, add_to_git_credential=False)
        elif args.verb == "logout":
            logout()
        else:
            print(whoami()["name"])
    except (HfHubHTTPError, LocalTokenNotFoundError, ValueError) as err:
        message = str(err).splitlines()[0] if str(err) else type(err).__name__
        if args.verb == "login" and args.token:
            message = message.replace(args.token, "***")
        print(f"error: {message}. Get a token at https://huggingface.co/settings/tokens", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())

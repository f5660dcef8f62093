"""Run a local Hugging Face Hub (test infrastructure) on loopback until Ctrl-C.

For tests and the offline demo only, not a product registry: it stores repos under --root and
speaks the part of the Hub API that huggingface_hub uses to upload, tag and download. The token
that may write (as --user, member of each --org) is read from --token-file or the environment
variable named by --token-env; it is never printed.

    stick-gen local-hub --root demo-hub --port 8765 --token-file demo-token.txt

Then run any huggingface_hub client with HF_ENDPOINT=http://127.0.0.1:8765, HF_HUB_DISABLE_XET=1
(the local hub has no Xet storage) and HF_TOKEN set to the same token.
"""

from __future__ import annotations

import argparse
import os
import threading
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of ``stick-gen local-hub``."""
    parser.add_argument("--root", type=Path, required=True, help="directory that holds the hub's repos and blobs")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, loopback only)")
    parser.add_argument("--port", type=int, default=8765, help="port to listen on; 0 picks a free one (default: 8765)")
    parser.add_argument("--token-file", type=Path, help="file whose first line is the token that may write")
    parser.add_argument("--token-env", default="HF_TOKEN",
                        help="environment variable holding the token when --token-file is not given (default: HF_TOKEN)")
    parser.add_argument("--user", default="gestura-bot", help="user name the token belongs to (default: gestura-bot)")
    parser.add_argument("--org", action="append", dest="orgs", metavar="ORG",
                        help="organisation the user may write to; repeatable (default: the project's Hub org)")
    parser.add_argument("--log-requests", action="store_true", help="print one line per request served")


def read_token(token_file: Path | None, token_env: str) -> str:
    """The write token from ``token_file`` (first line) or the environment variable ``token_env``.

    >>> read_token(None, "LOCAL_HUB_TOKEN_FOR_DOCTEST")
    Traceback (most recent call last):
    stick_gen.model.errors.HubError: no token for the local hub: ...
    """
    from ..errors import HubError

    if token_file is not None:
        try:
            lines = token_file.read_text().strip().splitlines()
        except OSError as err:
            raise HubError(f"cannot read the token file {token_file}: {err.strerror}; pass an existing file") from None
        if not lines or not lines[0].strip():
            raise HubError(f"the token file {token_file} is empty: write the token on its first line")
        return lines[0].strip()
    token = os.environ.get(token_env, "").strip()
    if not token:
        raise HubError(f"no token for the local hub: pass --token-file FILE or set the {token_env} environment variable")
    return token


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C; prints the endpoint (never the token)."""
    from ..errors import HubError
    from ..model.variants import HUB_ORG
    from ..testing.local_hub import LocalHub

    token = read_token(args.token_file, args.token_env)
    orgs = args.orgs if args.orgs is not None else [HUB_ORG]
    hub = LocalHub(args.root, host=args.host, port=args.port, log=print if args.log_requests else None)
    try:
        hub.add_user(args.user, orgs, token=token)
    except ValueError as err:
        raise HubError(f"{err}; fix --user/--org") from None
    try:
        hub.start()
    except OSError as err:
        raise HubError(f"cannot listen on {args.host}:{args.port}: {err.strerror}; pick another --port") from None
    print(f"local hub (test infrastructure) serving {args.root} at {hub.endpoint}", flush=True)
    print(f"  writer: {args.user} (orgs: {', '.join(orgs) or 'none'}); clients need HF_ENDPOINT={hub.endpoint} "
          "HF_HUB_DISABLE_XET=1", flush=True)
    print("  press Ctrl-C to stop", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        print("stopping local hub", flush=True)
    finally:
        hub.stop()
    return 0

"""Log in to the Hugging Face Hub: the library behind ``stick-gen login``.

The upload guide's prerequisite is ``huggingface-cli login``, a command of huggingface_hub before 1.0;
from 1.0 on huggingface_hub installs only ``hf`` (``hf auth login``). stick-gen does not install a
script under another project's name (it would shadow the real ``huggingface-cli``), so
``stick-gen login`` does the same job under any huggingface_hub version. The token goes through
huggingface_hub's own :func:`~huggingface_hub.login`, into the store ``hf auth login`` uses, and is
never printed. To log out, ``hf auth logout``.

>>> store_token("hf_...")   # doctest: +SKIP
'your-username'
>>> current_user()          # doctest: +SKIP
'your-username'
"""

from __future__ import annotations

from typing import Optional

from ..errors import HubError

TOKENS_PAGE = "https://huggingface.co/settings/tokens"


def _hub_error(err: BaseException, token: Optional[str], doing: str) -> HubError:
    """One line for a failed login call; the token, should the Hub echo it, is replaced by ``***``."""
    from .upload import http_status, redact

    status = http_status(err)
    if status == 401:
        reason = "the Hub refused the token (401 Unauthorized): it is invalid, expired or revoked"
    elif status is not None:
        reason = f"the Hub answered HTTP {status}"
    else:
        reason = (str(err).splitlines() or [""])[0][:200] or type(err).__name__
    return HubError(redact(f"{doing} failed: {reason}. Get a token at {TOKENS_PAGE}", [token]))


def store_token(token: str) -> str:
    """Check ``token`` with the Hub, store it where ``hf auth login`` does; returns its user name."""
    from huggingface_hub import login, whoami

    token = token.strip()
    if not token:
        raise HubError(f"no token given: paste the token from {TOKENS_PAGE}")
    try:
        login(token=token, add_to_git_credential=False)
        return str(whoami(token=token)["name"])
    except Exception as err:  # huggingface_hub raises HTTP, value and transport errors alike
        raise _hub_error(err, token, "logging in") from None


def current_user() -> str:
    """The user name of the token in use (``HF_TOKEN``, else the stored one)."""
    from huggingface_hub import get_token, whoami

    if not get_token():
        raise HubError("not logged in: run `stick-gen login` (or `hf auth login`), or set HF_TOKEN")
    try:
        return str(whoami()["name"])
    except Exception as err:
        raise _hub_error(err, get_token(), "checking the token") from None


"""The ``stick-gen`` command: a thin dispatcher over ``stick_gen.commands.<name>`` modules.

Each command module has a docstring (first line = help), ``add_arguments(parser)`` and
``run(args) -> int``. Errors of the :class:`~stick_gen.errors.StickGenError` family become
one line on stderr and a non-zero exit; ``--debug`` shows the traceback. Library modules report through
``logging.getLogger(__name__)``; the command shows their messages on stderr (:func:`configure_logging`).

>>> main(["--help"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
from typing import List, Optional

from . import __version__, commands
from .errors import StickGenError, ValidationError

EXIT_CODES = f"""exit codes:
  0    success
  {StickGenError.exit_code}    an error (a bad file or value, the Hub refused): one line on stderr says what to do
  2    the command line could not be parsed (unknown command or flag, missing or invalid argument)
  {ValidationError.exit_code}    push: validation failed or found problems; nothing was written or sent
  130  interrupted (Ctrl-C)"""


def _command_modules() -> List[str]:
    return sorted(m.name for m in pkgutil.iter_modules(commands.__path__) if not m.name.startswith("_"))


def build_parser() -> argparse.ArgumentParser:
    """The full parser. Command modules import no heavy library at module level, so this is fast.

    A command with sub-verbs (``lora merge``, ``card update``) adds its own subparsers.
    """
    parser = argparse.ArgumentParser(
        prog="stick-gen",
        description="Text to stick-figure animation: make data, train, evaluate, generate, publish to the Hub.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    parser.add_argument("--version", action="version", version=f"stick-gen {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in _command_modules():
        module = importlib.import_module(f"{commands.__name__}.{name}")
        doc = (module.__doc__ or name).strip()
        cmd = sub.add_parser(
            name.replace("_", "-"),
            help=doc.splitlines()[0],
            description=doc,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(cmd)
        _accept_debug(cmd)
        cmd.set_defaults(_run=module.run)
    return parser


def _accept_debug(parser: argparse.ArgumentParser) -> None:
    """Accept ``--debug`` after a command and its sub-verbs too (``stick-gen generate ... --debug``).

    The default is SUPPRESS, so a command line without it keeps the top-level value.
    """
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for verb in dict.fromkeys(action.choices.values()):
                _accept_debug(verb)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a message comes (a redirect, pytest's capture)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def configure_logging(debug: bool = False) -> None:
    """Show stick-gen's log messages on stderr as plain lines (INFO and up; DEBUG with ``--debug``).

    Only the ``stick_gen`` logger is set up, so other libraries' INFO chatter stays hidden; calling it
    again changes nothing but the level.
    """
    log = logging.getLogger("stick_gen")
    if not any(isinstance(h, _StderrHandler) for h in log.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
    log.setLevel(logging.DEBUG if debug else logging.INFO)


def main(argv: Optional[List[str]] = None) -> int:
    """Run ``stick-gen`` with ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.debug)
    try:
        return int(args._run(args) or 0)
    except StickGenError as err:
        if args.debug:
            raise
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

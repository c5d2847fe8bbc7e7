"""`python -m bot` runs the Slack worker; `python -m bot ask|eval` are the command-line jobs."""
from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in {"ask", "eval"}:
        from bot import cli

        return cli.main(args)
    from bot import worker

    return worker.main(args)


if __name__ == "__main__":
    sys.exit(main())

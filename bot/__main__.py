"""`python -m bot` runs the Slack worker; `python -m bot ask|eval|index|search|serve` is the `lg-ai` command line."""
from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    from bot import cli  # light: argparse only

    if args and (args[0] in cli.COMMANDS or args[0] in {"-h", "--help", "help"}):
        return cli.main(["--help"] if args[0] == "help" else args, prog="python -m bot")
    from bot import worker

    return worker.main(args)


if __name__ == "__main__":
    sys.exit(main())

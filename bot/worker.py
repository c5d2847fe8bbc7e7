"""`python -m bot`: the Slack worker, Socket Mode (bot/socket_mode.py) or HTTP mode (bot/http_mode.py).

Start-up fails fast with exit code 2 and a one-line reason when a token is
missing, Slack rejects it, or the knowledge base (e.g. a Chroma server) cannot
be opened. SIGTERM stops new work, lets in-flight answers finish (bounded by
SLACK_SHUTDOWN_GRACE_SECONDS) and exits 0.
"""
from __future__ import annotations

import logging
import os
import sys
from typing import Sequence

from bot.logs import configure_logging
from bot.runtime import StartupError
from bot.settings import BotSettings, SettingsError

log = logging.getLogger("bot.worker")


def main(argv: Sequence[str] | None = None) -> int:
    from dotenv import load_dotenv

    load_dotenv()
    configure_logging(os.environ.get("LOG_LEVEL", "INFO").upper())
    args = list(argv or [])
    if args and args[0] in ("-h", "--help", "help"):
        print("usage: python -m bot            run the Slack worker (Socket Mode or HTTP mode, from the environment)\n"
              "       python -m bot ask|eval   command-line jobs")
        return 0
    if args:
        print(f"error: unknown command {args[0]!r} (try: python -m bot --help)", file=sys.stderr)
        return 2
    try:
        settings = BotSettings.from_env(os.environ)
        configure_logging(settings.log_level)
        log.info("starting in %s mode with %s", settings.mode, settings)
        if settings.mode == "socket":
            from bot import socket_mode

            return socket_mode.run(settings, os.environ)
        from bot import http_mode

        return http_mode.run(settings)
    except (SettingsError, StartupError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

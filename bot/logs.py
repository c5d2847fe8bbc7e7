"""Logging set-up for the entry points, with tokens scrubbed from every record."""
from __future__ import annotations

import logging
import re

_SECRET = re.compile(r"\b(xox[abposr]|xapp)-[A-Za-z0-9-]+")


class RedactTokens(logging.Filter):
    """Replace anything shaped like a Slack token, whatever logger produced it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _SECRET.search(message):
            record.msg = redact(message)
            record.args = None
        return True


def redact(text: str) -> str:
    return _SECRET.sub(lambda m: m.group(1) + "-***", text)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactTokens())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level if level in logging.getLevelNamesMapping() else "INFO")
    # Socket Mode pings are noise at INFO.
    logging.getLogger("slack_sdk.socket_mode").setLevel(max(root.level, logging.WARNING))

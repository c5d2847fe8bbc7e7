"""`create_app` lives in bot.runtime; this name is kept for callers of the first version."""
from __future__ import annotations

from bot.runtime import create_app, make_web_client

__all__ = ["create_app", "make_web_client"]

"""A fake Slack on 127.0.0.1, split by concern.

server.py (lifecycle, state, waits, fault injection), web_api.py (the Web API
methods the bot calls, response_url), socket_mode.py (tickets, websockets,
envelopes, acks, redelivery, drops and silent sockets), blocks.py (Block Kit
checks), records.py (what is recorded).
"""
from tests.fakes.slack.blocks import block_errors
from tests.fakes.slack.records import Ack, Call
from tests.fakes.slack.server import FakeSlack

__all__ = ["Ack", "Call", "FakeSlack", "block_errors"]

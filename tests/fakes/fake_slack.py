"""The fake Slack now lives in the `tests.fakes.slack` package (split by concern); this name stays for imports."""
from tests.fakes.slack import Ack, Call, FakeSlack, block_errors

__all__ = ["Ack", "Call", "FakeSlack", "block_errors"]

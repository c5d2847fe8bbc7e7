"""Redis `Store`: what lets any number of workers answer each question exactly once.

Every claim operation is one Lua script, so claim / renew / finish are atomic
compare-and-set steps on the server (the SET NX PX idea, plus owner checks).
"""
from __future__ import annotations

from typing import Any

from bot.state.base import ANSWER_TTL_SECONDS, DONE_TTL_SECONDS, THREAD_TTL_SECONDS, Claim, decode_answer, encode_answer
from knowledge.models import Answer

PREFIX = "lgai:"
_DONE = "=done"

_CLAIM = """
local v = redis.call('GET', KEYS[1])
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 'claimed' end
if v == ARGV[3] then return 'done' end
return 'busy'
"""
_RENEW = """
local lost = {}
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('PEXPIRE', key, ARGV[2]) else table.insert(lost, key) end
end
return lost
"""
_FINISH = """
local v = redis.call('GET', KEYS[1])
if (not v) or v == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) end
return 1
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
"""


def make_redis_client(url: str, timeout: float = 0.5) -> Any:
    """A client that fails fast: a dead Redis must not hold up an ack (no retries, short timeouts)."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return redis.Redis.from_url(
        url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), 0),
        decode_responses=True,
        health_check_interval=15,
    )


class RedisStore:
    name = "redis"

    def __init__(self, client: Any):
        self.client = client
        self._claim = client.register_script(_CLAIM)
        self._renew = client.register_script(_RENEW)
        self._finish = client.register_script(_FINISH)
        self._release = client.register_script(_RELEASE)

    @staticmethod
    def _key(key: str) -> str:
        return f"{PREFIX}claim:{key}"

    def claim(self, key: str, owner: str, lease: float) -> Claim:
        result = self._claim(keys=[self._key(key)], args=[owner, int(lease * 1000), _DONE])
        return Claim(result)

    def peek(self, key: str) -> Claim | None:
        value = self.client.get(self._key(key))
        return None if value is None else Claim.DONE if value == _DONE else Claim.BUSY

    def renew(self, keys: list[str], owner: str, lease: float) -> list[str]:
        if not keys:
            return []
        lost = self._renew(keys=[self._key(k) for k in keys], args=[owner, int(lease * 1000)])
        prefix = len(self._key(""))
        return [k[prefix:] for k in lost]

    def finish(self, key: str, owner: str) -> None:
        self._finish(keys=[self._key(key)], args=[owner, _DONE, DONE_TTL_SECONDS])

    def release(self, key: str, owner: str) -> None:
        self._release(keys=[self._key(key)], args=[owner])

    def set_thread(self, channel: str, thread_ts: str, member: bool) -> None:
        self.client.set(f"{PREFIX}thread:{channel}:{thread_ts}", "1" if member else "0", ex=THREAD_TTL_SECONDS)

    def get_thread(self, channel: str, thread_ts: str) -> bool | None:
        value = self.client.get(f"{PREFIX}thread:{channel}:{thread_ts}")
        return None if value is None else value == "1"

    def put_answer(self, answer_id: str, answer: Answer) -> None:
        self.client.set(f"{PREFIX}answer:{answer_id}", encode_answer(answer), ex=ANSWER_TTL_SECONDS)

    def get_answer(self, answer_id: str) -> Answer | None:
        raw = self.client.get(f"{PREFIX}answer:{answer_id}")
        return None if raw is None else decode_answer(raw)

    def close(self) -> None:
        self.client.close()

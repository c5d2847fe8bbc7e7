"""The Store contract, for the in-memory store and a real Redis; Redis going away and coming back."""
from __future__ import annotations

import logging
import threading
import time
from typing import Iterator

import pytest

from bot.claims import Leases, Watcher
from bot.state import Claim, FallbackStore, MemoryStore, make_store
from bot.state.redis_store import RedisStore, make_redis_client
from tests.bot_fixtures import RedisServer, fake_answer, wait_until


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest) -> Iterator[object]:
    if request.param == "memory":
        yield MemoryStore()
        return
    server: RedisServer = request.getfixturevalue("redis_server")
    server.flush()
    store = RedisStore(make_redis_client(server.url))
    yield store
    store.close()


def test_claim_is_exclusive_until_done(store) -> None:
    assert store.claim("ev:1", "w1", 5) is Claim.CLAIMED
    assert store.claim("ev:1", "w2", 5) is Claim.BUSY
    assert store.claim("ev:1", "w1", 5) is Claim.BUSY  # a repeat reaching the same worker
    assert store.peek("ev:1") is Claim.BUSY and store.peek("ev:2") is None
    store.finish("ev:1", "w1")
    assert store.claim("ev:1", "w2", 5) is Claim.DONE and store.peek("ev:1") is Claim.DONE


def test_lease_expires_unless_renewed(store) -> None:
    assert store.claim("a", "w1", 0.3) is Claim.CLAIMED
    assert store.claim("b", "w1", 0.3) is Claim.CLAIMED
    for _ in range(4):
        time.sleep(0.15)
        assert store.renew(["a"], "w1", 0.3) == []
    assert store.peek("a") is Claim.BUSY  # kept alive for 0.6 s by renewals
    assert store.peek("b") is None  # not renewed: expired
    assert store.claim("b", "w2", 5) is Claim.CLAIMED
    assert store.renew(["b"], "w1", 5) == ["b"]  # w1 lost it
    store.finish("b", "w1")  # a stale owner cannot settle someone else's claim
    assert store.peek("b") is Claim.BUSY


def test_release_lets_another_worker_claim(store) -> None:
    store.claim("r", "w1", 30)
    store.release("r", "w2")  # not the owner: no effect
    assert store.claim("r", "w2", 30) is Claim.BUSY
    store.release("r", "w1")
    assert store.claim("r", "w2", 30) is Claim.CLAIMED


def test_thread_memory_and_answers_round_trip(store) -> None:
    assert store.get_thread("C1", "1.1") is None
    store.set_thread("C1", "1.1", True)
    store.set_thread("C1", "2.2", False)
    assert store.get_thread("C1", "1.1") is True and store.get_thread("C1", "2.2") is False
    answer = fake_answer("share me")
    store.put_answer("abc", answer)
    assert store.get_answer("abc") == answer and store.get_answer("nope") is None


def test_redis_claims_are_shared_between_clients(redis_server: RedisServer) -> None:
    redis_server.flush()
    one, two = RedisStore(make_redis_client(redis_server.url)), RedisStore(make_redis_client(redis_server.url))
    results: list[Claim] = []
    barrier = threading.Barrier(8)

    def race(store: RedisStore, owner: str) -> None:
        barrier.wait()
        results.append(store.claim("ev:race", owner, 5))

    threads = [threading.Thread(target=race, args=(one if i % 2 else two, f"w{i}")) for i in range(8)]
    [t.start() for t in threads]
    [t.join(5) for t in threads]
    assert results.count(Claim.CLAIMED) == 1 and results.count(Claim.BUSY) == 7


def test_leases_renew_in_the_background_and_watcher_takes_over(redis_server: RedisServer) -> None:
    redis_server.flush()
    store = RedisStore(make_redis_client(redis_server.url))
    alive = Leases(store, "alive", lease=0.6)
    dead = Leases(store, "dead", lease=0.6)
    assert alive.claim("ev:kept") is Claim.CLAIMED and dead.claim("ev:orphan") is Claim.CLAIMED
    dead.stop()  # the worker dies: nobody renews its claim
    taken: list[str] = []
    watcher = Watcher(store, lambda body, headers: taken.append(body["event_id"]), max_wait=10, interval=0.1)
    watcher.watch("ev:kept", {"event_id": "kept"}, {})
    watcher.watch("ev:orphan", {"event_id": "orphan"}, {})
    wait_until(lambda: taken == ["orphan"], timeout=5, message="the orphaned claim to be taken over")
    time.sleep(0.8)
    assert taken == ["orphan"] and store.peek("ev:kept") is Claim.BUSY  # renewed past its lease
    alive.finish(["ev:kept"])
    wait_until(lambda: len(watcher) == 0, timeout=3, message="the watcher to drop the settled claim")
    assert taken == ["orphan"]
    alive.stop(), watcher.stop()


def test_redis_down_falls_back_to_memory_with_one_log_line(tmp_path, caplog: pytest.LogCaptureFixture) -> None:
    server = RedisServer(tmp_path).start()
    try:
        store = make_store(server.url)
        assert isinstance(store, FallbackStore) and store.claim("ev:a", "w1", 5) is Claim.CLAIMED
        server.stop()
        caplog.set_level(logging.WARNING, logger="bot.state")
        started = time.monotonic()
        for i in range(20):  # keeps answering: every claim still decided, fast
            assert store.claim(f"ev:down{i}", "w1", 5) is Claim.CLAIMED
            assert store.claim(f"ev:down{i}", "w2", 5) is Claim.BUSY
        assert time.monotonic() - started < 3.0
        down = [r for r in caplog.records if "unreachable" in r.getMessage()]
        assert len(down) == 1 and "in-memory" in down[0].getMessage() and store.degraded
        server.start()
        store._down_until = time.monotonic()  # skip the 5 s back-off between checks
        assert store.claim("ev:b", "w1", 5) is Claim.CLAIMED
        assert not store.degraded and any("reachable again" in r.getMessage() for r in caplog.records)
        assert store.primary.peek("ev:b") is Claim.BUSY  # really in Redis again
    finally:
        server.stop()

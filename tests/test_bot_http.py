"""End to end, HTTP mode: the Procfile's `web:` line (gunicorn) with real signed requests."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from typing import Iterator

import pytest

from tests.bot_fixtures import BotProcess, bot_env, free_port, procfile_command, wait_until
from tests.fakes.fake_slack import FakeSlack
from tests.fakes.signing import sign

SECRET = "test-signing-secret"
MARKER = "BODY-MARKER-7f3a"  # in every junk body; must never show up in the server's log
SERVERS: list[BotProcess] = []

@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture(scope="module")
def server(fake: FakeSlack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("http")
    port = free_port()
    env = bot_env(fake.base_url, str(tmp / "chroma"), SLACK_APP_TOKEN="", SLACK_SIGNING_SECRET=SECRET, PORT=str(port),
                  SLACK_BODY_TIMEOUT_SECONDS="3", HOME=str(tmp / "home"))
    process = BotProcess(procfile_command("web", port), env, tmp / "web.log")
    url = f"http://127.0.0.1:{port}"
    SERVERS.append(process)

    def healthy() -> bool:
        if not process.alive():
            raise AssertionError("server exited:\n" + process.output()[-4000:])
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    wait_until(healthy, timeout=120, message="GET /healthz")
    yield url
    assert process.terminate() == 0, process.output()[-3000:]
    output = process.output()
    assert "xoxb-test" not in output
    assert MARKER not in output  # no request body ever reaches the log
    assert "Traceback" not in output
    assert not (tmp / "home" / ".gunicorn").exists()  # no control socket under $HOME
    assert "will be unused" not in output


def post(url: str, body: str, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url + "/slack/events", data=body.encode(), method="POST",
                                     headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def mention(fake: FakeSlack, ch: str, text: str, event_id: str) -> str:
    event = {"type": "app_mention", "channel": ch, "user": "U1", "text": text, "ts": fake.add_message(ch, text), "team": "T1"}
    return json.dumps(fake.event_payload(event, event_id=event_id))


def test_healthz(server: str) -> None:
    with urllib.request.urlopen(server + "/healthz", timeout=5) as response:
        assert response.status == 200 and response.read() == b"ok"


def test_signed_event_is_answered_and_a_retry_is_not(fake: FakeSlack, server: str) -> None:
    ch = "C" + uuid.uuid4().hex[:8].upper()
    body = mention(fake, ch, "<@UBOT> HTTP question", "EvHTTP1")
    assert post(server, body, sign(SECRET, body)) == 200
    fake.wait_for_call("chat.postMessage", lambda c: c.params.get("channel") == ch)
    fake.wait_for_call("reactions.remove", lambda c: c.params.get("channel") == ch)
    assert post(server, body, {**sign(SECRET, body), "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}) == 200
    body2 = mention(fake, ch, "<@UBOT> second", "EvHTTP2")
    assert post(server, body2, sign(SECRET, body2)) == 200
    fake.wait_for_call("chat.postMessage", lambda c: c.params.get("channel") == ch, count=2)
    fake.wait_for_call("reactions.remove", lambda c: c.params.get("channel") == ch, count=2)
    posts = [c for c in fake.calls_to("chat.postMessage") if c.params.get("channel") == ch]
    asked = {json.loads(b)["event"]["ts"] for b in (body, body2)}
    assert len(posts) == 2 and {p.params["thread_ts"] for p in posts} == asked


def test_bad_signature_and_stale_timestamp_are_rejected(fake: FakeSlack, server: str) -> None:
    body = mention(fake, "CBAD", "<@UBOT> forged", "EvBAD1")
    assert post(server, body, sign("wrong-secret", body)) == 401
    assert post(server, body, sign(SECRET, body, timestamp=int(time.time()) - 600)) == 401
    assert post(server, body, {}) == 401


def test_slash_command_over_http_acks_with_usage(server: str, fake: FakeSlack) -> None:
    from urllib.parse import urlencode

    body = urlencode(fake.slash_command_payload("help"))
    request = urllib.request.Request(server + "/slack/events", data=body.encode(), method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, body)})
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=10) as response:
        payload = json.loads(response.read())
    assert time.monotonic() - started < 1.0
    assert "/lg-ai" in json.dumps(payload, ensure_ascii=False)


# ------------------------------------------------------------------ the internet's garbage


def raw_request(url: str, data: bytes, headers: dict[str, str], path: str = "/slack/events") -> int:
    """POST raw bytes; returns the status (never raises for HTTP errors)."""
    request = urllib.request.Request(url + path, data=data, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.parametrize("body, content_type, expected", [
    (b'{"type": "event_callback", ' + MARKER.encode(), "application/json", 400),  # malformed JSON
    (b'\xff\xfe' + MARKER.encode() + b'\xc3\x28', "application/json", 400),  # not UTF-8
    (b'[1, 2, "' + MARKER.encode() + b'"]', "application/json", 400),  # a top-level array
    (b'payload=%7Bnot-json' + MARKER.encode(), "application/x-www-form-urlencoded", 400),
    (b'payload=%5B1%5D&x=' + MARKER.encode(), "application/x-www-form-urlencoded", 400),
])
def test_signed_junk_is_400_and_never_logged(server: str, body: bytes, content_type: str, expected: int) -> None:
    assert raw_request(server, body, {"Content-Type": content_type, **sign(SECRET, body)}) == expected


def test_unsigned_and_oversized_junk_is_rejected_without_500(server: str) -> None:
    junk = (MARKER * 10).encode() + bytes(range(256))
    assert raw_request(server, junk, {"Content-Type": "application/json"}) == 401
    assert raw_request(server, junk, {"Content-Type": "application/json", **sign("wrong", junk)}) == 401
    big = MARKER.encode() * (10 * 1024 * 1024 // len(MARKER))  # 10 MB
    started = time.monotonic()
    assert status_of_raw_post(server, big, sign(SECRET, big)) == 413
    assert time.monotonic() - started < 5


def status_of_raw_post(server: str, body: bytes, headers: dict[str, str]) -> int:
    """POST over a plain socket: the server may answer (413) and close before the body is all sent."""
    import socket

    host, port = server.removeprefix("http://").split(":")
    head = "".join(f"{k}: {v}\r\n" for k, v in {"Host": "x", "Content-Type": "application/json",
                                                 "Content-Length": str(len(body)), **headers}.items())
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        try:
            sock.sendall(b"POST /slack/events HTTP/1.1\r\n" + head.encode() + b"\r\n" + body)
        except OSError:
            pass  # refused mid-upload: the status line is already waiting
        reply = sock.recv(64)
    return int(reply.split()[1])


def test_oversized_body_is_refused_before_it_is_read(server: str) -> None:
    """The declared size alone earns a 413: the server answers without waiting for 5 MB that never come."""
    import socket

    host, port = server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 5000000\r\n\r\n{")
        reply = sock.recv(200)
    assert reply.startswith(b"HTTP/1.1 413")


def test_a_body_that_never_finishes_gets_408(server: str) -> None:
    import socket

    host, port = server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100\r\n\r\n{")
        started = time.monotonic()
        reply = sock.recv(200)
    assert reply.startswith(b"HTTP/1.1 408") and 2.5 < time.monotonic() - started < 8


def test_url_verification_challenge(server: str) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "t"})
    request = urllib.request.Request(server + "/slack/events", data=body.encode(), method="POST",
                                     headers={"Content-Type": "application/json", **sign(SECRET, body)})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert b"abc123" in response.read()


def test_healthz_within_1s_under_10_slow_clients(fake: FakeSlack, server: str) -> None:
    """Ten clients trickle or idle for 6 s (headers byte by byte, bodies byte by byte, or nothing)."""
    import socket
    import threading

    host, port = server.removeprefix("http://").split(":")
    stop = threading.Event()
    header = b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n"

    def slow_client(kind: int) -> None:
        try:
            with socket.create_connection((host, int(port)), timeout=10) as sock:
                if kind == 0:  # idle: connect and say nothing
                    stop.wait(6)
                    return
                data = header if kind == 1 else header + b"{" * 400
                start = 0 if kind == 1 else len(header)
                if start:
                    sock.sendall(data[:start])
                for i in range(start, len(data)):  # one byte every 0.2 s, bounded by `stop`
                    if stop.wait(0.2):
                        return
                    sock.sendall(data[i:i + 1])
        except OSError:
            pass

    clients = [threading.Thread(target=slow_client, args=(i % 3,), daemon=True) for i in range(10)]
    for c in clients:
        c.start()
    try:
        time.sleep(0.5)
        latencies = []
        for _ in range(10):
            started = time.monotonic()
            with urllib.request.urlopen(server + "/healthz", timeout=5) as response:
                assert response.status == 200
            latencies.append(time.monotonic() - started)
            time.sleep(0.2)
        ch = "C" + uuid.uuid4().hex[:8].upper()
        body = mention(fake, ch, "<@UBOT> while slow clients hang on", "EvSLOW1")
        started = time.monotonic()
        assert post(server, body, sign(SECRET, body)) == 200
        ack = time.monotonic() - started
        fake.wait_for_call("chat.postMessage", lambda c: c.params.get("channel") == ch, timeout=10)
    finally:
        stop.set()
        for c in clients:
            c.join(10)
    print(f"\n/healthz under 10 slow clients: max {max(latencies) * 1000:.0f} ms; Slack POST acked in {ack * 1000:.0f} ms")
    assert max(latencies) < 1.0 and ack < 1.0

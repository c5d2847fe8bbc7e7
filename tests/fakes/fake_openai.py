"""A scripted OpenAI-compatible chat server on 127.0.0.1, for tests over real HTTP.

The real `langchain_openai.ChatOpenAI` client talks to it, so the tests cover
the actual request/response path (status codes, timeouts, retries) rather than
a mocked client. Each request pops one script item:

* ``"text"``                      -> 200 chat.completion whose message content is the text
* ``("status", 500)``             -> that status with an OpenAI-style error body
* ``("delay", seconds, "text")``  -> sleep, then answer like ``"text"``
* ``("raw", "body")``             -> 200 with exactly that body (application/json)

An empty script answers 500 ("script exhausted"), so an unexpected extra
request (e.g. a client retry) is visible in `requests`.
"""
from __future__ import annotations

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Union

ScriptItem = Union[str, tuple]

_PATHS = {"/v1/chat/completions", "/chat/completions"}


class FakeOpenAI:
    """Context manager running the server in a daemon thread; `.base_url` ends in /v1."""

    def __init__(self, script: list[ScriptItem] | None = None) -> None:
        self._script: deque[ScriptItem] = deque(script or ())
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.requests: list[dict[str, Any]] = []  # parsed JSON bodies, in order
        self.paths: list[str] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- scripting ----------------------------------------------------------------

    def push(self, *items: ScriptItem) -> None:
        """Queue more replies."""
        with self._lock:
            self._script.extend(items)

    def _next(self) -> ScriptItem | None:
        with self._lock:
            return self._script.popleft() if self._script else None

    def _record(self, path: str, body: dict[str, Any]) -> None:
        with self._lock:
            self.paths.append(path)
            self.requests.append(body)

    @property
    def base_url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def prompt_text(self, index: int = -1) -> str:
        """All message contents of one recorded request, joined (for assertions)."""
        messages = self.requests[index].get("messages", [])
        parts = []
        for m in messages:
            content = m.get("content")
            if isinstance(content, list):
                content = "".join(str(b.get("text", "")) for b in content if isinstance(b, dict))
            parts.append(str(content))
        return "\n".join(parts)

    # -- lifecycle ----------------------------------------------------------------

    def start(self) -> FakeOpenAI:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        server.daemon_threads = True  # a sleeping handler never blocks shutdown
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping in a ("delay", ...) item
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=2)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def completion(content: str, model: str = "test-model") -> dict[str, Any]:
    """A well-formed chat.completion object carrying `content`."""
    return {
        "id": f"chatcmpl-fake-{time.monotonic_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


def _make_handler(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

        def _send(self, status: int, body: str) -> None:
            data = body.encode("utf-8")
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout): nothing to do

        def do_POST(self) -> None:  # noqa: N802 - http.server naming
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            path = self.path.split("?", 1)[0]
            if path not in _PATHS:
                self._send(404, json.dumps({"error": {"message": "not found"}}))
                return
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {"_unparsable": raw.decode("utf-8", "replace")}
            fake._record(path, body)
            model = str(body.get("model", "test-model"))

            item = fake._next()
            if item is None:
                self._send(500, _error("script exhausted"))
                return
            if isinstance(item, str):
                self._send(200, json.dumps(completion(item, model), ensure_ascii=False))
                return
            kind = item[0]
            if kind == "status":
                self._send(int(item[1]), _error(f"scripted status {item[1]}"))
            elif kind == "delay":
                if fake._stopping.wait(float(item[1])):
                    return  # shutting down: drop the request
                self._send(200, json.dumps(completion(item[2], model), ensure_ascii=False))
            elif kind == "raw":
                self._send(200, item[1])
            else:  # pragma: no cover - a broken test script
                self._send(500, _error(f"unknown script item {kind!r}"))

    return Handler


def _error(message: str) -> str:
    return json.dumps({"error": {"message": message, "type": "server_error", "code": None}})

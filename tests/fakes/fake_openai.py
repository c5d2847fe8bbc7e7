"""A scripted chat-model server on 127.0.0.1, for tests over real HTTP.

The real `langchain_openai.ChatOpenAI` (and `langchain_ollama.ChatOllama`)
clients talk to it, so the tests cover the actual request/response path
(status codes, timeouts, retries, SSE and NDJSON streaming) rather than a
mocked client. Two APIs are served:

* OpenAI-compatible: ``POST /v1/chat/completions`` (``"stream": true`` gets
  server-sent events unless the server is told it cannot stream);
* Ollama's native API: ``POST /api/chat`` (streams newline-delimited JSON).

Each request pops one script item:

* ``"text"``                       -> the reply text (streamed in small pieces on a stream request)
* ``("tokens", [pieces], delay)``  -> the pieces, one stream event each, `delay` seconds before
                                      each; a non-stream request waits the sum and gets the whole text
* ``("status", 500)``              -> that status with an OpenAI-style error body
* ``("delay", seconds, "text")``   -> sleep, then answer like ``"text"``
* ``("raw", "body")``              -> 200 with exactly that body (application/json)

`stream_mode` says what the server does with a stream request:
``"sse"`` streams (the default), ``"json"`` ignores the flag and answers with
one ordinary JSON body (as some local servers do), ``"reject"`` answers 400.
`refuse_schema=True` answers 400 to any request carrying a `response_format`
(a server without structured output).

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

_OPENAI_PATHS = {"/v1/chat/completions", "/chat/completions"}
_OLLAMA_PATHS = {"/api/chat"}
# Piece size when a plain "text" item is streamed.
_PIECE = 6
STREAM_MODES = frozenset({"sse", "json", "reject"})


class FakeOpenAI:
    """Context manager running the server in a daemon thread; `.base_url` ends in /v1."""

    def __init__(self, script: list[ScriptItem] | None = None, *, stream_mode: str = "sse",
                 usage: tuple[int, int] = (10, 10), refuse_schema: bool = False) -> None:
        if stream_mode not in STREAM_MODES:
            raise ValueError(f"stream_mode must be one of {sorted(STREAM_MODES)}")
        self._script: deque[ScriptItem] = deque(script or ())
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.stream_mode = stream_mode
        self.refuse_schema = refuse_schema
        self.usage = usage  # (prompt tokens, completion tokens) reported per reply
        self.requests: list[dict[str, Any]] = []  # parsed JSON bodies, in order
        self.paths: list[str] = []
        self.times: list[float] = []  # time.monotonic() when each request arrived
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
            self.times.append(time.monotonic())

    @property
    def root_url(self) -> str:
        """http://127.0.0.1:PORT (Ollama's base URL)."""
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL (ends in /v1)."""
        return f"{self.root_url}/v1"

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


def completion(content: str, model: str = "test-model", usage: tuple[int, int] = (10, 10)) -> dict[str, Any]:
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
        "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)},
    }


def _chunk(chunk_id: str, model: str, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": chunk_id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
    }


def _ollama_message(model: str, content: str, done: bool, usage: tuple[int, int]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "model": model,
        "created_at": "2026-01-01T00:00:00Z",
        "message": {"role": "assistant", "content": content},
        "done": done,
    }
    if done:
        out.update(done_reason="stop", total_duration=1, load_duration=1, prompt_eval_count=usage[0],
                   prompt_eval_duration=1, eval_count=usage[1], eval_duration=1)
    return out


def _pieces(item: ScriptItem) -> tuple[list[str], float] | None:
    """The reply of a text-like item as (pieces, delay before each), or None."""
    if isinstance(item, str):
        return [item[i : i + _PIECE] for i in range(0, len(item), _PIECE)] or [""], 0.0
    if item[0] == "tokens":
        return [str(p) for p in item[1]], float(item[2]) if len(item) > 2 else 0.0
    return None


def _make_handler(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

        def _send(self, status: int, body: str, content_type: str = "application/json") -> None:
            data = body.encode("utf-8")
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout): nothing to do

        def _start_chunked(self, content_type: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()

        def _write_chunk(self, text: str) -> None:
            data = text.encode("utf-8")
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

        def _end_chunked(self) -> None:
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()

        def _wait(self, seconds: float) -> bool:
            """Sleep; False when the server is shutting down (drop the request)."""
            return not (seconds > 0 and fake._stopping.wait(seconds))

        def do_POST(self) -> None:  # noqa: N802 - http.server naming
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            path = self.path.split("?", 1)[0]
            if path not in _OPENAI_PATHS | _OLLAMA_PATHS:
                self._send(404, json.dumps({"error": {"message": "not found"}}))
                return
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {"_unparsable": raw.decode("utf-8", "replace")}
            fake._record(path, body)
            model = str(body.get("model", "test-model"))
            ollama = path in _OLLAMA_PATHS
            # Ollama streams unless told not to; OpenAI only when asked.
            wants_stream = bool(body.get("stream", ollama))

            if fake.refuse_schema and "response_format" in body:
                self._send(400, _error("response_format is not supported", "invalid_request_error"))
                return
            item = fake._next()
            if item is None:
                self._send(500, _error("script exhausted"))
                return
            if isinstance(item, tuple) and item[0] == "delay":
                if not self._wait(float(item[1])):
                    return
                item = item[2]
            if isinstance(item, tuple) and item[0] == "status":
                self._send(int(item[1]), _error(f"scripted status {item[1]}"))
                return
            if isinstance(item, tuple) and item[0] == "raw":
                self._send(200, item[1])
                return
            reply = _pieces(item)
            if reply is None:  # pragma: no cover - a broken test script
                self._send(500, _error(f"unknown script item {item[0]!r}"))
                return
            pieces, delay = reply
            if wants_stream and fake.stream_mode == "reject" and not ollama:
                self._send(400, _error("streaming is not supported by this server", "invalid_request_error"))
                return
            try:
                if wants_stream and (ollama or fake.stream_mode == "sse"):
                    if ollama:
                        self._stream_ollama(model, pieces, delay)
                    else:
                        self._stream_openai(model, pieces, delay, body)
                    return
                if not self._wait(delay * len(pieces)):
                    return
                text = "".join(pieces)
                if ollama:
                    self._send(200, json.dumps(_ollama_message(model, text, True, fake.usage), ensure_ascii=False))
                else:
                    self._send(200, json.dumps(completion(text, model, fake.usage), ensure_ascii=False))
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up mid-stream

        def _stream_openai(self, model: str, pieces: list[str], delay: float, body: dict[str, Any]) -> None:
            chunk_id = f"chatcmpl-fake-{time.monotonic_ns()}"
            self._start_chunked("text/event-stream")

            def event(data: dict[str, Any]) -> None:
                self._write_chunk(f"data: {json.dumps(data, ensure_ascii=False)}\n\n")

            event(_chunk(chunk_id, model, {"role": "assistant", "content": ""}))
            for piece in pieces:
                if not self._wait(delay):
                    return
                event(_chunk(chunk_id, model, {"content": piece}))
            event(_chunk(chunk_id, model, {}, "stop"))
            if (body.get("stream_options") or {}).get("include_usage"):
                usage = {"prompt_tokens": fake.usage[0], "completion_tokens": fake.usage[1],
                         "total_tokens": sum(fake.usage)}
                event({"id": chunk_id, "object": "chat.completion.chunk", "created": int(time.time()),
                       "model": model, "choices": [], "usage": usage})
            self._write_chunk("data: [DONE]\n\n")
            self._end_chunked()

        def _stream_ollama(self, model: str, pieces: list[str], delay: float) -> None:
            self._start_chunked("application/x-ndjson")
            for piece in pieces:
                if not self._wait(delay):
                    return
                self._write_chunk(json.dumps(_ollama_message(model, piece, False, fake.usage), ensure_ascii=False) + "\n")
            self._write_chunk(json.dumps(_ollama_message(model, "", True, fake.usage)) + "\n")
            self._end_chunked()

    return Handler


def _error(message: str, kind: str = "server_error") -> str:
    return json.dumps({"error": {"message": message, "type": kind, "code": None}})

"""The fake's Web API (the methods the bot calls, nothing else) and response_url endpoints."""
from __future__ import annotations

import asyncio
import base64
import copy
import json
import logging
import secrets
import time
import uuid
from typing import Any

from aiohttp import web

from tests.fakes.slack.blocks import block_errors, rich_text
from tests.fakes.slack.records import Call, Fault, Headers, ResponseHook, SlackError, truthy

log = logging.getLogger("tests.fakes.slack")

APP_ID = "A1"
TEAM_DOMAIN = "fake-workspace"
# Fields Slack accepts as JSON-encoded strings in form bodies; decoded so tests
# see the same structure whether the client sent form or JSON.
_JSON_FIELDS = ("blocks", "attachments", "metadata", "prompts", "chunks", "view", "user_auth_blocks")
_MAX_TEXT = 40_000
_APP_TOKEN_METHODS = frozenset({"apps.connections.open", "auth.test", "apps.event.authorizations.list"})


class WebApiMixin:
    """`/api/{method}` and `/response/{hook}`; state lives on the FakeSlack that mixes this in."""

    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            ctype = request.content_type
            if ctype == "application/json":
                body = await request.json()
                if isinstance(body, dict):
                    params.update(body)
            elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        data = value.file.read()
                        params[key] = {"filename": value.filename, "size": len(data)}
                    else:
                        params[key] = value
            else:
                raw = await request.text()
                try:
                    body = json.loads(raw) if raw else {}
                    if isinstance(body, dict):
                        params.update(body)
                except ValueError:
                    params["_raw_body"] = raw
        for key in _JSON_FIELDS:
            value = params.get(key)
            if isinstance(value, str) and value[:1] in ("[", "{"):
                try:
                    params[key] = json.loads(value)
                except ValueError:
                    pass
        return params

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        headers = Headers(request.headers.items())
        try:
            params = await self._read_params(request)
        except Exception:
            params = {}
            bad_body = True
        else:
            bad_body = False
        token = params.pop("token", None)
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            token = auth[7:].strip()
        call = Call(method=method, params=params, headers=headers, time=time.monotonic(), token=token, verb=request.method)

        if time.monotonic() < self._outage_until:
            return self._error_response(call, "service_unavailable", status=503)
        delay = self._take_delay(method)
        if delay:
            with self._cond:
                self.stalled.append(call)
                self._cond.notify_all()
            await asyncio.sleep(delay)  # Slack stalls, then does the work all the same
            with self._cond:
                self.stalled.remove(call)
        fault = self._take_fault(method)
        if fault is not None:
            return self._fault_response(call, fault)
        if bad_body:
            return self._error_response(call, "invalid_form_data")
        handler = getattr(self, "_api_" + method.replace(".", "_"), None)
        if handler is None:
            return self._error_response(call, "unknown_method")
        if not token:
            return self._error_response(call, "not_authed")
        if self.valid_tokens is not None and token not in self.valid_tokens:
            return self._error_response(call, "invalid_auth")
        # App-level (xapp-) tokens open sockets and little else; bot tokens cannot open sockets.
        is_app_token = token.startswith("xapp-")
        if (method == "apps.connections.open" and not is_app_token) or (
            is_app_token and method not in _APP_TOKEN_METHODS
        ):
            return self._error_response(call, "not_allowed_token_type")
        try:
            with self._cond:
                body = handler(params)
                body = {"ok": True, **body}
                self.calls.append(call)
                self._cond.notify_all()
        except SlackError as exc:
            return self._error_response(call, exc.error, **exc.extra)
        except Exception:
            log.exception("fake Slack: %s crashed", method)
            return self._error_response(call, "internal_error", status=500)
        return self._json(body)

    def _json(self, body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
        hdrs = {"X-Slack-Req-Id": secrets.token_hex(16)}
        hdrs.update(headers or {})
        return web.json_response(body, status=status, headers=hdrs, dumps=lambda o: json.dumps(o, ensure_ascii=False))

    def _error_response(self, call: Call, error: str, *, status: int = 200, **extra: Any) -> web.Response:
        call.status, call.error = status, error
        self._record(call)
        return self._json({"ok": False, "error": error, **extra}, status=status)

    def _fault_response(self, call: Call, fault: Fault) -> web.Response:
        call.status, call.error = fault.status, fault.error
        self._record(call)
        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else None
        if call.method == "response_url":
            return web.Response(status=fault.status, text=fault.error or "", headers=headers)
        return self._json({"ok": False, "error": fault.error}, status=fault.status, headers=headers)

    @staticmethod
    def _check_content(params: dict[str, Any], *, require: bool = True) -> None:
        text = params.get("text")
        blocks = params.get("blocks")
        attachments = params.get("attachments")
        if require and not text and not blocks and not attachments:
            raise SlackError("no_text")
        if isinstance(text, str) and len(text) > _MAX_TEXT:
            raise SlackError("msg_too_long")
        if blocks is not None and blocks != []:
            errors = block_errors(blocks)
            if errors:
                raise SlackError(
                    "invalid_blocks",
                    errors=errors,
                    response_metadata={"messages": [f"[ERROR] {e}" for e in errors]},
                )

    @staticmethod
    def _channel(params: dict[str, Any], key: str = "channel") -> str:
        channel = params.get(key)
        if not channel or not isinstance(channel, str):
            raise SlackError("channel_not_found")
        return channel

    def _require_message(self, channel: str, ts: Any) -> dict[str, Any]:
        msg = self._find(channel, ts) if isinstance(ts, str) else None
        if msg is None:
            raise SlackError("message_not_found")
        return msg

    @staticmethod
    def _public(msg: dict[str, Any], include_metadata: bool = True) -> dict[str, Any]:
        out = {k: copy.deepcopy(v) for k, v in msg.items() if v is not None}
        if not include_metadata:
            out.pop("metadata", None)
        return out

    def _api_auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": "Fake Workspace",
            "user": "lg-ai",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _api_apps_connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        ticket = str(uuid.uuid4())
        self._tickets.add(ticket)
        return {"url": f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}&app_id={self.app_id}"}

    def _api_chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        self._check_content(params)
        ts = self._next_ts()
        msg = self._bot_message(params.get("text") or "", ts)
        msg["blocks"] = params.get("blocks") or rich_text(params.get("text") or "")
        for key in ("attachments", "metadata"):
            if params.get(key):
                msg[key] = params[key]
        if params.get("thread_ts"):
            msg["thread_ts"] = str(params["thread_ts"])
            if truthy(params.get("reply_broadcast")):
                msg["subtype"] = "thread_broadcast"
        self._store(channel, msg)
        return {"channel": channel, "ts": ts, "message": self._public(msg)}

    def _api_chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        user = params.get("user")
        if not user:
            raise SlackError("user_not_in_channel")
        self._check_content(params)
        ts = self._next_ts()
        self._ephemeral.append(
            {
                "channel": channel,
                "user": user,
                "text": params.get("text") or "",
                "blocks": params.get("blocks"),
                "thread_ts": params.get("thread_ts"),
                "ts": ts,
                "source": "chat.postEphemeral",
            }
        )
        self._cond.notify_all()
        return {"message_ts": ts}

    def _api_chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        msg = self._require_message(channel, params.get("ts"))
        if msg.get("user") != self.bot_user_id:
            raise SlackError("cant_update_message")
        self._check_content(params, require=False)
        if "text" in params:
            msg["text"] = params["text"] or ""
        if params.get("blocks") is not None:
            msg["blocks"] = params["blocks"] or rich_text(msg["text"])
        elif "text" in params:
            msg["blocks"] = rich_text(msg["text"])
        for key in ("attachments", "metadata"):
            if params.get(key) is not None:
                msg[key] = params[key]
        msg["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        self._cond.notify_all()
        return {"channel": channel, "ts": msg["ts"], "text": msg["text"], "message": self._public(msg)}

    def _api_chat_startStream(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        if not params.get("thread_ts"):
            raise SlackError("invalid_arguments")
        ts = self._next_ts()
        msg = self._bot_message("", ts)
        msg["thread_ts"] = str(params["thread_ts"])
        msg["streaming"] = True
        self._append_stream(msg, params)
        self._streams[(channel, ts)] = "in_progress"
        self._store(channel, msg)
        return {"channel": channel, "ts": ts}

    def _api_chat_appendStream(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, msg = self._stream_message(params)
        self._append_stream(msg, params)
        self._cond.notify_all()
        return {"channel": channel, "ts": msg["ts"]}

    def _api_chat_stopStream(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, msg = self._stream_message(params)
        if params.get("blocks"):
            self._check_content({"blocks": params["blocks"]}, require=False)
        self._append_stream(msg, params)
        if params.get("blocks"):
            msg["blocks"] = msg["blocks"] + list(params["blocks"])
        if params.get("metadata"):
            msg["metadata"] = params["metadata"]
        msg.pop("streaming", None)
        self._streams[(channel, msg["ts"])] = "completed"
        self._cond.notify_all()
        return {"channel": channel, "ts": msg["ts"], "message": self._public(msg)}

    def _api_reactions_add(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        msg = self._require_message(channel, params.get("timestamp"))
        name = params.get("name")
        if not name:
            raise SlackError("invalid_name")
        reactions = msg.setdefault("reactions", [])
        for r in reactions:
            if r["name"] == name:
                if self.bot_user_id in r["users"]:
                    raise SlackError("already_reacted")
                r["users"].append(self.bot_user_id)
                r["count"] += 1
                break
        else:
            reactions.append({"name": name, "users": [self.bot_user_id], "count": 1})
        self._cond.notify_all()
        return {}

    def _api_reactions_remove(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        msg = self._require_message(channel, params.get("timestamp"))
        name = params.get("name")
        for r in msg.get("reactions", []):
            if r["name"] == name and self.bot_user_id in r["users"]:
                r["users"].remove(self.bot_user_id)
                r["count"] -= 1
                if r["count"] == 0:
                    msg["reactions"].remove(r)
                if not msg["reactions"]:
                    del msg["reactions"]
                self._cond.notify_all()
                return {}
        raise SlackError("no_reaction")

    def _api_conversations_replies(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        msg = self._find(channel, params.get("ts") or "")
        if msg is None:
            raise SlackError("thread_not_found")
        root_ts = msg.get("thread_ts") or msg["ts"]
        parent = self._find(channel, root_ts) or msg
        with_meta = truthy(params.get("include_all_metadata"))
        replies = [
            m
            for m in self._channels[channel]
            if m.get("thread_ts") == root_ts and m["ts"] != root_ts and self._in_range(m["ts"], params)
        ]
        items = [self._public(m, with_meta) for m in [parent, *replies]]
        page, meta = self._page(items, params, 1000)
        return {"messages": page, **meta}

    def _api_conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        with_meta = truthy(params.get("include_all_metadata"))
        top = [
            m
            for m in self._channels.get(channel, [])
            if (not m.get("thread_ts") or m["thread_ts"] == m["ts"] or m.get("subtype") == "thread_broadcast")
            and self._in_range(m["ts"], params)
        ]
        items = [self._public(m, with_meta) for m in reversed(top)]
        page, meta = self._page(items, params, 100)
        return {"messages": page, "pin_count": 0, **meta}

    def _api_assistant_threads_setStatus(self, params: dict[str, Any]) -> dict[str, Any]:
        state = self._thread_state(params)
        if "status" not in params:
            raise SlackError("invalid_arguments")
        state["status"] = params["status"]
        state["status_history"].append(params["status"])
        if params.get("loading_messages"):
            state["loading_messages"] = params["loading_messages"]
        self._cond.notify_all()
        return {}

    def _api_assistant_threads_setSuggestedPrompts(self, params: dict[str, Any]) -> dict[str, Any]:
        state = self._thread_state(params)
        prompts = params.get("prompts")
        if not isinstance(prompts, list) or not prompts or len(prompts) > 4:
            raise SlackError("invalid_arguments")
        for p in prompts:
            if not isinstance(p, dict) or not p.get("title") or not p.get("message"):
                raise SlackError("invalid_arguments")
        state["prompts"] = prompts
        if params.get("title"):
            state["prompts_title"] = params["title"]
        self._cond.notify_all()
        return {}

    def _api_assistant_threads_setTitle(self, params: dict[str, Any]) -> dict[str, Any]:
        state = self._thread_state(params)
        if not params.get("title"):
            raise SlackError("invalid_arguments")
        state["title"] = params["title"]
        self._cond.notify_all()
        return {}

    def _stream_message(self, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        channel = self._channel(params)
        msg = self._require_message(channel, params.get("ts"))
        if self._streams.get((channel, msg["ts"])) != "in_progress":
            raise SlackError("message_not_in_streaming_state")
        return channel, msg

    @staticmethod
    def _append_stream(msg: dict[str, Any], params: dict[str, Any]) -> None:
        text = params.get("markdown_text") or ""
        for chunk in params.get("chunks") or []:
            if isinstance(chunk, dict) and chunk.get("type") == "markdown_text":
                text += chunk.get("text", "")
            elif isinstance(chunk, dict):
                msg.setdefault("chunks", []).append(chunk)
        if len(text) > 12_000:
            raise SlackError("msg_too_long")
        msg["text"] = msg.get("text", "") + text
        msg["blocks"] = [{"type": "markdown", "text": msg["text"]}] if msg["text"] else []

    @staticmethod
    def _page(items: list[dict[str, Any]], params: dict[str, Any], default_limit: int) -> tuple[list, dict]:
        try:
            limit = int(params.get("limit") or default_limit)
        except ValueError:
            raise SlackError("invalid_limit")
        limit = max(1, min(limit, 1000))
        offset = 0
        cursor = params.get("cursor")
        if cursor:
            try:
                offset = int(base64.b64decode(cursor).decode().partition(":")[2])
            except Exception:
                raise SlackError("invalid_cursor")
        page = items[offset : offset + limit]
        more = offset + limit < len(items)
        next_cursor = base64.b64encode(f"offset:{offset + limit}".encode()).decode() if more else ""
        return page, {"has_more": more, "response_metadata": {"next_cursor": next_cursor}}

    @staticmethod
    def _in_range(ts: str, params: dict[str, Any]) -> bool:
        inclusive = truthy(params.get("inclusive"))
        oldest, latest = params.get("oldest"), params.get("latest")
        if oldest and (ts < oldest or (ts == oldest and not inclusive)):
            return False
        if latest and (ts > latest or (ts == latest and not inclusive)):
            return False
        return True

    def _thread_state(self, params: dict[str, Any]) -> dict[str, Any]:
        channel_id = params.get("channel_id")
        thread_ts = params.get("thread_ts")
        if not channel_id or not thread_ts:
            raise SlackError("invalid_arguments")
        return self.assistant_threads.setdefault((channel_id, str(thread_ts)), {"status_history": []})

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        hook_id = request.match_info["hook_id"]
        headers = Headers(request.headers.items())
        raw = await request.text()
        try:
            body = json.loads(raw) if raw else {}
            if not isinstance(body, dict):
                raise ValueError
        except ValueError:
            body = None
        params = dict(body or {})
        params["_response_id"] = hook_id
        call = Call(method="response_url", params=params, headers=headers, time=time.monotonic())

        fault = self._take_fault("response_url")
        if fault is not None:
            return self._fault_response(call, fault)

        def fail(status: int, error: str) -> web.Response:
            call.status, call.error = status, error
            self._record(call)
            return web.Response(status=status, text=error)

        if body is None:
            return fail(400, "invalid_payload")
        with self._cond:
            hook = self._hooks.get(hook_id)
            if hook is None:
                return fail(404, "no_active_hooks")
            if hook.uses >= 5:  # Slack allows five responses per response_url
                return fail(404, "used_url")
            try:
                self._apply_response(hook, body)
            except SlackError as exc:
                return fail(400, exc.error)
            hook.uses += 1
            self.calls.append(call)
            self._cond.notify_all()
        return web.Response(text="ok")

    def _apply_response(self, hook: ResponseHook, body: dict[str, Any]) -> None:
        """Apply response_url semantics: delete/replace the original, or post a new message."""
        has_content = bool(body.get("text") or body.get("blocks") or body.get("attachments"))
        if body.get("blocks") is not None:
            self._check_content(body, require=False)
        if truthy(body.get("delete_original")):
            if hook.ephemeral:
                self._ephemeral = [
                    m for m in self._ephemeral if not (m["channel"] == hook.channel and m["ts"] == hook.message_ts)
                ]
            elif hook.message_ts:
                msg = self._find(hook.channel, hook.message_ts)
                if msg is not None:
                    self._channels[hook.channel].remove(msg)
            if not has_content:
                return
        if truthy(body.get("replace_original")) and hook.message_ts:
            if not has_content:
                raise SlackError("no_text")
            if hook.ephemeral:
                for m in self._ephemeral:
                    if m["channel"] == hook.channel and m["ts"] == hook.message_ts:
                        m.update(text=body.get("text") or "", blocks=body.get("blocks"))
            else:
                msg = self._find(hook.channel, hook.message_ts)
                if msg is not None:
                    msg["text"] = body.get("text") or ""
                    msg["blocks"] = body.get("blocks") or rich_text(msg["text"])
            return
        if not has_content:
            raise SlackError("no_text")
        thread_ts = body.get("thread_ts") or hook.thread_ts
        if body.get("response_type") == "in_channel":
            msg = self._bot_message(body.get("text") or "", self._next_ts())
            msg["blocks"] = body.get("blocks") or rich_text(msg["text"])
            if thread_ts:
                msg["thread_ts"] = thread_ts
            self._store(hook.channel, msg)
        else:
            self._ephemeral.append(
                {
                    "channel": hook.channel,
                    "user": hook.user,
                    "text": body.get("text") or "",
                    "blocks": body.get("blocks"),
                    "thread_ts": thread_ts,
                    "ts": self._next_ts(),
                    "source": "response_url",
                }
            )


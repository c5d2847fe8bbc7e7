"""Block Kit checks: the fake refuses what Slack would refuse (invalid_blocks, msg_too_long)."""
from __future__ import annotations

import secrets
from typing import Any

def rich_text(text: str) -> list[dict[str, Any]]:
    """The rich_text block Slack attaches to text-only messages (Bolt's assistant store reads ``blocks``)."""
    return [
        {
            "type": "rich_text",
            "block_id": secrets.token_hex(3),
            "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
        }
    ]



def _text_object_errors(obj: Any, max_len: int, pointer: str, plain_only: bool = False) -> list[str]:
    if not isinstance(obj, dict):
        return [f"must be an object [json-pointer:{pointer}]"]
    errors = []
    kind = obj.get("type")
    allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
    if kind not in allowed:
        errors.append(f"must be one of {list(allowed)} [json-pointer:{pointer}/type]")
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        errors.append(f"must be more than 0 characters [json-pointer:{pointer}/text]")
    elif len(text) > max_len:
        errors.append(f"must be less than {max_len + 1} characters [json-pointer:{pointer}/text]")
    return errors



def _element_errors(el: Any, pointer: str) -> list[str]:
    if not isinstance(el, dict) or "type" not in el:
        return [f"missing required field: type [json-pointer:{pointer}]"]
    errors: list[str] = []
    if len(str(el.get("action_id", ""))) > 255:
        errors.append(f"must be less than 256 characters [json-pointer:{pointer}/action_id]")
    if el["type"] == "button":
        errors += _text_object_errors(el.get("text"), 75, f"{pointer}/text", plain_only=True)
        if len(str(el.get("value", ""))) > 2000:
            errors.append(f"must be less than 2001 characters [json-pointer:{pointer}/value]")
        if len(str(el.get("url", ""))) > 3000:
            errors.append(f"must be less than 3001 characters [json-pointer:{pointer}/url]")
        if "style" in el and el["style"] not in ("primary", "danger"):
            errors.append(f"must be one of [primary, danger] [json-pointer:{pointer}/style]")
    return errors



def block_errors(blocks: Any) -> list[str]:
    """Validate Block Kit the way Slack does for the limits the bot must respect.

    Covers 50 blocks per message, 3,000 characters per section text, 2,000 per
    field (max 10), 150 per header, 10 context elements, 25 actions elements,
    75-character button labels, unique ``block_id``s and non-empty texts.
    Unknown block types are accepted (Slack adds new ones over time).
    """
    if not isinstance(blocks, list):
        return ["must be an array [json-pointer:/blocks]"]
    errors: list[str] = []
    if len(blocks) > 50:
        errors.append("no more than 50 items allowed [json-pointer:/blocks]")
    seen_ids: set[str] = set()
    for i, block in enumerate(blocks):
        p = f"/blocks/{i}"
        if not isinstance(block, dict) or "type" not in block:
            errors.append(f"missing required field: type [json-pointer:{p}]")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            if len(str(block_id)) > 255:
                errors.append(f"must be less than 256 characters [json-pointer:{p}/block_id]")
            if block_id in seen_ids:
                errors.append(f"duplicate block_id {block_id!r} [json-pointer:{p}/block_id]")
            seen_ids.add(block_id)
        kind = block["type"]
        if kind == "section":
            text, fields = block.get("text"), block.get("fields")
            if text is None and not fields:
                errors.append(f"must provide either text or fields [json-pointer:{p}]")
            if text is not None:
                errors += _text_object_errors(text, 3000, f"{p}/text")
            if fields is not None:
                if not isinstance(fields, list) or len(fields) > 10:
                    errors.append(f"no more than 10 items allowed [json-pointer:{p}/fields]")
                else:
                    for j, f in enumerate(fields):
                        errors += _text_object_errors(f, 2000, f"{p}/fields/{j}")
            if "accessory" in block:
                errors += _element_errors(block["accessory"], f"{p}/accessory")
        elif kind == "header":
            errors += _text_object_errors(block.get("text"), 150, f"{p}/text", plain_only=True)
        elif kind == "context":
            elements = block.get("elements")
            if not isinstance(elements, list) or not 1 <= len(elements) <= 10:
                errors.append(f"must have 1 to 10 items [json-pointer:{p}/elements]")
            else:
                for j, el in enumerate(elements):
                    if isinstance(el, dict) and el.get("type") == "image":
                        continue
                    errors += _text_object_errors(el, 3000, f"{p}/elements/{j}")
        elif kind == "actions":
            elements = block.get("elements")
            if not isinstance(elements, list) or not 1 <= len(elements) <= 25:
                errors.append(f"must have 1 to 25 items [json-pointer:{p}/elements]")
            else:
                for j, el in enumerate(elements):
                    errors += _element_errors(el, f"{p}/elements/{j}")
        elif kind == "markdown":
            text = block.get("text")
            if not isinstance(text, str) or not text or len(text) > 12_000:
                errors.append(f"must be 1 to 12000 characters [json-pointer:{p}/text]")
    return errors



"""Validate records and responses against Pennylane's own OpenAPI document (the vendored
subset under tests/fixtures/pennylane/, see its README for the edition and source).

The spec is OpenAPI 3.0 (``nullable: true``), which jsonschema does not know;
``to_json_schema`` rewrites it into plain JSON Schema so any response can be
checked against the contract the real API publishes.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

import jsonschema

SPEC_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "pennylane" / "openapi-subset.json"
API_PREFIX = "/api/external/v2"


@functools.cache
def spec() -> dict[str, Any]:
    return json.loads(SPEC_PATH.read_text())


def _convert(node: Any, components: dict[str, Any], depth: int = 0) -> Any:
    if isinstance(node, list):
        return [_convert(x, components, depth) for x in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return _convert(copy.deepcopy(components[name]), components, depth + 1)
    out = {
        k: _convert(v, components, depth)
        for k, v in node.items()
        if k not in ("example", "examples", "nullable", "format")
    }
    if node.get("nullable"):
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        elif "type" not in out:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


@functools.cache
def _response_schema_json(path: str, method: str, status: str) -> str:
    s = spec()
    op = s["paths"][API_PREFIX + path][method]
    schema = op["responses"][status]["content"]["application/json"]["schema"]
    return json.dumps(_convert(schema, s["components"]["schemas"]))


def response_schema(path: str, method: str = "get", status: str = "200") -> dict[str, Any]:
    """JSON Schema of a response, ``path`` relative to ``/api/external/v2`` (e.g. ``/customers``)."""
    return json.loads(_response_schema_json(path, method, status))


def item_schema(path: str) -> dict[str, Any]:
    """JSON Schema of one record of a list endpoint (``items`` element)."""
    schema = response_schema(path)
    for part in [schema, *schema.get("allOf", [])]:
        if "items" in part.get("properties", {}):
            return part["properties"]["items"]["items"]
    raise KeyError(f"{path} is not a list endpoint")


def validate_response(body: Any, path: str, method: str = "get", status: str = "200") -> None:
    jsonschema.validate(body, response_schema(path, method, status))


def validate_item(record: Any, path: str) -> None:
    jsonschema.validate(record, item_schema(path))

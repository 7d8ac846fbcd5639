"""Turns domain errors into clear JSON HTTP errors, never a traceback."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web


def json_error(status: int, message: str, **extra: Any) -> web.HTTPException:
    """An HTTP error whose body is {"error": message, ...} as JSON."""
    exception_class = {
        400: web.HTTPBadRequest,
        401: web.HTTPUnauthorized,
        403: web.HTTPForbidden,
        404: web.HTTPNotFound,
        409: web.HTTPConflict,
        413: web.HTTPRequestEntityTooLarge,
        415: web.HTTPUnsupportedMediaType,
        422: web.HTTPUnprocessableEntity,
        429: web.HTTPTooManyRequests,
        503: web.HTTPServiceUnavailable,
    }[status]
    body = json.dumps({"error": message, **extra})
    if exception_class is web.HTTPRequestEntityTooLarge:
        return web.HTTPRequestEntityTooLarge(
            max_size=extra.get("max_size", 0), actual_size=extra.get("actual_size", 0),
            text=body, content_type="application/json",
        )
    return exception_class(text=body, content_type="application/json")


async def read_json_object(request: web.Request) -> dict[str, Any]:
    """The request body as a JSON object, or a 4xx saying what is wrong with it."""
    if request.content_type != "application/json":
        raise json_error(415, "Send the body as JSON with Content-Type: application/json.")
    try:
        body = await request.json()
    except web.HTTPRequestEntityTooLarge:
        raise json_error(413, "The request body is too large.") from None
    except (ValueError, UnicodeDecodeError):
        raise json_error(400, "The body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise json_error(400, "The body must be a JSON object.")
    return body

"""Request bodies are capped before anything reads them.

The app-wide CSRF check parses every form, and Starlette spools multipart files to disk while
parsing, so without a cap in front of it anybody (signed in or not) could fill the disk with
one POST. Uploads (POST /imports) may be as large as the import limit; every other body is a
form of a few fields. A body announced larger than its cap is refused at once (413); a body
without Content-Length is counted as it arrives and cut off at the cap.
"""

from __future__ import annotations

from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

FORM_BYTES: Final = 1024 * 1024
"""Any request body but an upload: forms, htmx posts, JSON."""


class BodyTooLarge(Exception):
    """The body went past its cap while it was being read."""


class BodyLimit:
    """ASGI middleware: 413 for a body over its cap (`uploads` maps paths to their caps)."""

    def __init__(self, app: ASGIApp, uploads: dict[str, int], default: int = FORM_BYTES) -> None:
        self.app = app
        self.uploads = uploads
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self.uploads.get(scope["path"], self.default)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > cap):
            await _too_large(send, cap)
            return
        seen = 0
        exceeded = answered = False

        async def counted() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def answer(message: Message) -> None:
            # Whatever the app makes of the cut-off body (FastAPI answers 400 when reading a
            # form fails), the client is told why: 413.
            nonlocal answered
            if not exceeded:
                answered = answered or message["type"] == "http.response.start"
                await send(message)
            elif not answered:
                answered = True
                await _too_large(send, cap)

        try:
            await self.app(scope, counted, answer)
        except BodyTooLarge:
            if not answered:
                await _too_large(send, cap)


async def _too_large(send: Send, cap: int) -> None:
    body = f'{{"detail": "the request body is larger than {cap:,} bytes"}}'.encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})

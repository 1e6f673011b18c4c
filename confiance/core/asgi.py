"""The ASGI application: a fixed pool of request threads for ordinary pages and APIs, Django's async path for streams.

Django's own ASGI handler runs each request's synchronous code on a thread made for that request
(``ThreadSensitiveContext``). A new thread per request means a new database connection per request (connections
are per thread), and under load as many threads fight for the interpreter as there are requests in flight. Here,
every synchronous request runs whole (request signals, middleware, view, response close) on one thread of a fixed
pool, as under a WSGI server: connections live as long as ``CONN_MAX_AGE`` allows, and concurrency is bounded.

Paths that stream for a long time (server-sent events) keep Django's async handler: they hold no thread. Apps may
mount lean ASGI applications on a path prefix for high-rate machine traffic (GPS trackers). The pages that every
anonymous visitor sees the same (views marked `core.public_pages.public_page`) are answered from memory on the
event loop once a request has gone through Django (ADR 0018).
"""

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.core.handlers.base import BaseHandler
from django.http import FileResponse, HttpResponseBase
from django.urls import set_script_prefix

from confiance.core.public_pages import Entry, PublicPages


class PooledASGIHandler(ASGIHandler):
    def __init__(self, *, threads: int, async_prefixes: tuple[str, ...], mounts: dict | None = None):
        super().__init__()
        self.async_prefixes = async_prefixes
        self.mounts = tuple((mounts or {}).items())
        self.sync_handler = BaseHandler()
        self.sync_handler.load_middleware(is_async=False)
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="confiance-request")
        self.public_pages = PublicPages()

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            for prefix, app in self.mounts:
                if scope["path"].startswith(prefix):
                    await timed_mount(app, f"mount:{prefix}", scope, receive, send)
                    return
        if scope["type"] != "http" or scope["path"].startswith(self.async_prefixes):
            await super().__call__(scope, receive, send)
            return
        key = self.public_pages.key(scope)
        if key is not None and (entry := self.public_pages.get(key)) is not None:
            await self._send_entry(entry, scope, send)
            return
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        loop = asyncio.get_running_loop()
        response = await loop.run_in_executor(self.pool, self._respond, scope, body_file)
        if key is not None:
            self.public_pages.store(key, response)
        try:
            if response.streaming:
                # Iterate a streamed body on the pool too: its generator may read the database.
                await self._send_streaming(response, send, loop)
            else:
                await self.send_response(response, send)
        except (asyncio.CancelledError, OSError):
            pass
        finally:
            await loop.run_in_executor(self.pool, self._finish, response, body_file)

    def _respond(self, scope, body_file) -> HttpResponseBase:
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, error_response = self.create_request(scope, body_file)
        if request is None:
            return error_response
        response = self.sync_handler.get_response(request)
        response._handler_class = self.__class__
        if isinstance(response, FileResponse):
            response.block_size = self.chunk_size
        return response

    @staticmethod
    async def _send_entry(entry: Entry, scope, send) -> None:
        """A public page from memory, counted and timed like the requests that reach Django."""
        from confiance.core.metrics import observe

        started = time.perf_counter()
        try:
            await send({"type": "http.response.start", "status": entry.status, "headers": entry.headers})
            await send({"type": "http.response.body", "body": entry.body})
        except OSError:
            pass
        observe(entry.route, scope["method"], entry.status, time.perf_counter() - started)

    @staticmethod
    def _finish(response: HttpResponseBase, body_file) -> None:
        response.close()  # sends request_finished: connections past their age are closed here
        body_file.close()

    async def _send_streaming(self, response, send, loop) -> None:
        headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in response.items()]
        headers += [(b"Set-Cookie", cookie.output(header="").strip().encode("ascii"))
                    for cookie in response.cookies.values()]
        await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
        chunks = iter(response.streaming_content)
        done = object()
        while (chunk := await loop.run_in_executor(self.pool, next, chunks, done)) is not done:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body"})


async def timed_mount(app, route: str, scope, receive, send) -> None:
    """A mounted application, counted and timed like Django's requests (confiance/core/metrics.py)."""
    from confiance.core.metrics import observe

    started = time.perf_counter()
    status = 500

    async def send_and_note(message):
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        await send(message)

    try:
        await app(scope, receive, send_and_note)
    finally:
        observe(route, scope.get("method", ""), status, time.perf_counter() - started)


def application_for_settings(mounts: dict | None = None) -> PooledASGIHandler:
    return PooledASGIHandler(threads=settings.CONFIANCE_REQUEST_THREADS, async_prefixes=("/live/",), mounts=mounts)

"""A real HTTP server on loopback, for tests of code that fetches over HTTP (product images).

    with serve({"/ok.jpg": Route(body=jpeg)}) as server:
        server.url("/ok.jpg")   # http://127.0.0.1:<port>/ok.jpg
        server.host             # "127.0.0.1:<port>", as KVOTE_IMAGE_HOSTS names it
        server.hits["/ok.jpg"]  # how many requests it answered there

Routes may be changed while it runs (`server.routes[path] = Route(...)`). A path without a route
answers 404. A route can wait before answering (`delay`, for timeouts), leave out the
Content-Length (`send_length=False`: the body ends when the connection closes) or redirect
(`Route.redirect(location)`)."""

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    send_length: bool = True

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> "Route":
        return cls(status=status, headers={"Location": location})


class LoopbackServer:
    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.hits: Counter[str] = Counter()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits[self.path] += 1
                route = server.routes.get(self.path, Route(body=b"not found", status=404))
                try:
                    if route.delay:
                        time.sleep(route.delay)
                    self.send_response(route.status)
                    for name, value in route.headers.items():
                        self.send_header(name, value)
                    if route.send_length:
                        self.send_header("Content-Length", str(len(route.body)))
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout, a refused size): what the test wants

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False  # a handler still sleeping does not hold up the test
        self.port = self.httpd.server_address[1]
        self.host = f"127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"http://{self.host}{path}"


@contextmanager
def serve(routes: dict[str, Route] | None = None) -> Iterator[LoopbackServer]:
    server = LoopbackServer(dict(routes or {}))
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
        thread.join(timeout=5)

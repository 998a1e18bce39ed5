"""A supplier's order endpoint on loopback, for the tests and the demo (`manage.py
supplier_server`): a real HTTP server that checks the signature as the supplier must
(`signing.verify`: the time within the tolerance, the method, the path and the body, and no
message twice, remembered in memory), can fail or stall the first requests, and takes each order
number once as a new order; a repeat with the same Idempotency-Key (signed anew) is answered
"already received" and not taken again."""

import threading
from collections import Counter
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from kvote.supplier import signing


@dataclass
class Behaviour:
    fail_first: int = 0  # answer the first N requests with 503
    stall_first: int = 0  # hold the next N requests without answering ...
    stall_seconds: float = 0.0  # ... this long (or until `release()`)


@dataclass
class Received:
    requests: int = 0
    keys: Counter[str] = field(default_factory=Counter)  # every signed request's key
    orders: list[str] = field(default_factory=list)  # each order number once, as taken
    documents: dict[str, bytes] = field(default_factory=dict)
    refused_signatures: int = 0
    refusals: Counter[str] = field(default_factory=Counter)  # why, by signing.Problem value


class SupplierReceiver:
    def __init__(
        self,
        *,
        secret: str,
        behaviour: Behaviour | None = None,
        port: int = 0,
        folder: Path | None = None,
        log: bool = False,
        tolerance: int = signing.DEFAULT_TOLERANCE_SECONDS,
    ) -> None:
        self.secret = secret
        self.tolerance = tolerance
        self.seen = signing.MemoryStore(tolerance)
        self.behaviour = behaviour or Behaviour()
        self.folder = folder
        self.log = log
        self.received = Received()
        self.lock = threading.Lock()
        self.released = threading.Event()
        self.stalled = threading.Event()  # set when a request is being held
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/orders"

    def __enter__(self) -> "SupplierReceiver":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()

    def release(self) -> None:
        """Let go of stalled requests."""
        self.released.set()

    def _arrive(self) -> tuple[int, bool]:
        """Count a request; its number, and whether the supplier is down for it (answered
        before anything of the request is looked at, as a front door would)."""
        with self.lock:
            self.received.requests += 1
            number = self.received.requests
            return number, number <= self.behaviour.fail_first

    def _take(self, number: int, key: str, body: bytes) -> tuple[HTTPStatus, str]:
        """What to answer a request whose signature holds, and remember what arrived."""
        behaviour = self.behaviour
        stall = number <= behaviour.fail_first + behaviour.stall_first
        if stall:
            self.stalled.set()
            self.released.wait(behaviour.stall_seconds or None)
        with self.lock:
            self.received.keys[key] += 1
            if key in self.received.documents:
                return HTTPStatus.OK, f"{key} already received"
            self.received.orders.append(key)
            self.received.documents[key] = body
        if self.folder:
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / f"{key}.xml").write_bytes(body)
        return HTTPStatus.CREATED, f"{key} received"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                key = self.headers.get("Idempotency-Key", "")
                number, down = receiver._arrive()
                if down:
                    self._answer(
                        HTTPStatus.SERVICE_UNAVAILABLE, "order handling is down for maintenance"
                    )
                    return
                verdict = signing.verify(
                    header=self.headers.get(signing.HEADER),
                    method=self.command,
                    path=signing.signed_path(self.path.split("?", 1)[0]),
                    body=body,
                    secrets=[receiver.secret],
                    seen=receiver.seen,
                    tolerance=receiver.tolerance,
                )
                if verdict.problem is not None:
                    with receiver.lock:
                        receiver.received.refused_signatures += 1
                        receiver.received.refusals[verdict.problem.value] += 1
                    self._answer(HTTPStatus.UNAUTHORIZED, f"signature: {verdict.problem.value}")
                elif not key:
                    self._answer(HTTPStatus.BAD_REQUEST, "Idempotency-Key is required")
                else:
                    self._answer(*receiver._take(number, key, body))

            def _answer(self, status: HTTPStatus, text: str) -> None:
                data = text.encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "text/plain; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the sender gave up (timed out or died) while we stalled

            def log_message(self, format: str, *args: object) -> None:
                if receiver.log:
                    super().log_message(format, *args)

        return Handler

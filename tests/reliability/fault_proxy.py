"""A fault-injecting HTTP proxy on loopback, in front of the test Hub server (olah).

Requests are forwarded unchanged to the upstream server; a request for a file
(``/<org>/<name>/resolve/<rev>/<file>``) whose name matches ``target`` gets ``fault``:

- ``None``: passed through;
- ``"drop"``: the headers and half the body, then the connection is closed mid-file;
- ``"corrupt"``: the full body with bytes flipped (same length);
- ``"slow"``: the body trickles, 64 bytes every 0.5 s;
- ``"5xx"``: ``503 Service Unavailable``;
- ``"stall"``: the request is read and never answered;
- ``"gone"``: the connection is closed without an answer.

``count`` counts the faults served. The proxy runs in a thread of the test process.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest


class FaultProxy:
    def __init__(self, upstream: str):
        self.upstream = urlsplit(upstream)
        self.fault: str | None = None
        self.target = "model.safetensors"
        self.count = 0
        self.served = 0  # target files passed through whole
        self._stop = threading.Event()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                proxy._handle(self, "GET")

            def do_HEAD(self):
                proxy._handle(self, "HEAD")

            def do_POST(self):
                proxy._handle(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FaultProxy:
        self.thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()

    def _is_target(self, path: str) -> bool:
        if self.target == "*":
            return True
        return "/resolve/" in path and path.split("?", 1)[0].endswith("/" + self.target)

    def _faulty(self, path: str) -> bool:
        return self.fault is not None and self._is_target(path)

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        fault = self.fault if self._faulty(handler.path) else None
        if fault is not None:
            self.count += 1
        if fault == "gone":
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault == "stall":
            self._stop.wait(120)
            handler.close_connection = True
            return
        if fault == "5xx":
            handler.send_response(503)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        upstream = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port,
                                              timeout=30)
        headers = {k: v for k, v in handler.headers.items() if k.lower() != "host"}
        length = int(handler.headers.get("Content-Length") or 0)
        payload = handler.rfile.read(length) if length else None
        upstream.request(method, handler.path, body=payload, headers=headers)
        response = upstream.getresponse()
        body = response.read()
        upstream.close()
        handler.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() in ("transfer-encoding", "connection", "content-length"):
                continue
            handler.send_header(key, value)
        length = response.getheader("Content-Length") if method == "HEAD" else str(len(body))
        if length is not None:
            handler.send_header("Content-Length", length)
        if fault is not None:
            handler.send_header("Connection", "close")
            handler.close_connection = True
        handler.end_headers()
        if method == "HEAD" or not body:
            return
        if fault == "drop" and method == "GET":
            handler.wfile.write(body[: len(body) // 2])
            handler.wfile.flush()
            handler.connection.shutdown(socket.SHUT_RDWR)
        elif fault == "corrupt" and method == "GET":
            handler.wfile.write(bytes(b ^ 0x5A for b in body[:64]) + body[64:])
        elif fault == "slow" and method == "GET":
            for start in range(0, len(body), 64):
                if self._stop.wait(0.5):
                    return
                try:
                    handler.wfile.write(body[start:start + 64])
                    handler.wfile.flush()
                except OSError:
                    return
        else:
            handler.wfile.write(body)
            if method == "GET" and self._is_target(handler.path):
                self.served += 1


@pytest.fixture
def fault_proxy(hub_server):
    proxy = FaultProxy(hub_server.endpoint).start()
    yield proxy
    proxy.stop()


def wait_until(predicate, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False

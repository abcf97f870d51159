"""A real local HTTP receiver for instant event notifications, started by the tests on 127.0.0.1."""

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Receiver:
    """Records every POST (headers, raw body). `answer` is the status it replies; `delay` makes it slow;
    `stop()` takes it down (connections refused) and `start()` brings it back on the same port."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.requests: list[dict] = []
        self.answer = 200
        self.delay = 0
        self.headers_out: dict[str, str] = {}
        self._server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/ien?src=ccpro"

    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if receiver.delay:
                    time.sleep(receiver.delay)
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                self.send_response(receiver.answer)
                for key, value in receiver.headers_out.items():
                    self.send_header(key, value)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps({"received": True}).encode())

            def do_GET(self):  # noqa: N802 - a followed redirect would show up here
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": b"", "get": True})
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def events(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.requests if not r.get("get")]

"""A local HTTP peer for tests (the SMS gateway, a portal's webhook): records calls by an id header and can misbehave
on purpose."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Gateway:
    """Serves POST / on a free loopback port. behaviour(n) -> (status, headers, delay_s) for the n-th call."""

    def __init__(self, behaviour=None, id_header="Idempotency-Key"):
        self.behaviour = behaviour or (lambda n: (200, {}, 0))
        self.calls = []                      # (time, headers, payload) of every call
        self.bodies = []                     # the raw body of every call, in the same order
        self.delivered = {}                  # id header's value -> payload, for calls answered 2xx
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                payload = json.loads(raw)
                with gateway.lock:
                    n = len(gateway.calls)
                    gateway.calls.append((time.time(), dict(self.headers), payload))
                    gateway.bodies.append(raw)
                status, headers, delay = gateway.behaviour(n)
                if delay:
                    time.sleep(delay)
                if 200 <= status < 300:
                    with gateway.lock:
                        gateway.delivered.setdefault(self.headers.get(id_header), payload)
                try:
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"{}")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the caller gave up waiting, as a time-out test wants

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

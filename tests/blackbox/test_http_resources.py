"""Black-box tests of the service's resource limits: the shared budget for request bodies, the request deadline
and minimum body rate, and the reserve of connection slots for health checks."""
import http.client
import json
import os
import select
import socket
import threading
import time
import unittest

from harness import Service

UPLOAD_LIMIT = 256 * 1024          # the documented default of ARAYIS_PDF_BODY_LIMIT
ADDRESSES = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"]


def rss_kib(pid):
    """The process's resident memory in KiB, from /proc."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def read_head(sock):
    """Reads one response head; returns (status, {lower-case name: value}) or (None, {}) if the peer closed."""
    data = b""
    while b"\r\n\r\n" not in data:
        try:
            chunk = sock.recv(4096)
        except OSError:
            return None, {}
        if not chunk:
            return None, {}
        data += chunk
    lines = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers


def open_idle(port, address, count):
    """count connections from address that send nothing."""
    return [socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(address, 0)) for _ in range(count)]


def peer_closed(sock, wait):
    """True when the server closes (or answers on) the connection within wait seconds."""
    ready, _, _ = select.select([sock], [], [], wait)
    if not ready:
        return False
    try:
        return sock.recv(4096) is not None
    except OSError:
        return True


def trickle_until_cut(sock, first, step, interval, give_up):
    """Sends first, then step every interval seconds until the server closes or answers; returns the seconds it
    took, or None when the connection was still open after give_up seconds."""
    start = time.monotonic()
    try:
        sock.sendall(first)
        while time.monotonic() - start < give_up:
            if peer_closed(sock, interval):
                return time.monotonic() - start
            sock.sendall(step)
    except OSError:
        return time.monotonic() - start
    return None


class BodyBudgetTest(unittest.TestCase):
    def test_upload_limit_is_sized_for_our_documents(self):
        svc = Service().start()
        self.addCleanup(svc.close)
        try:
            status, body = svc.request_declaring("POST", "/api/v1/verify/pdf", UPLOAD_LIMIT + 1,
                                                 content_type="application/pdf", timeout=5)
        except TimeoutError:
            self.fail(f"a declared body of {UPLOAD_LIMIT + 1} bytes was not refused before it was sent")
        self.assertEqual((status, json.loads(body)["error"]["code"]), (413, "payload_too_large"))
        status, _, body = svc.request("POST", "/api/v1/verify/pdf", b"x" * UPLOAD_LIMIT, content_type="application/pdf")
        self.assertEqual((status, json.loads(body)["error"]["code"]), (400, "invalid_pdf"))

    def test_concurrent_uploads_stay_within_memory(self):
        # under AddressSanitizer freed memory would wait in its quarantine instead of going back to the system
        asan = ":".join(filter(None, [os.environ.get("ASAN_OPTIONS"), "quarantine_size_mb=0"]))
        svc = Service({"ARAYIS_MAX_CONNECTIONS_PER_IP": "64", "ASAN_OPTIONS": asan}).start()
        self.addCleanup(svc.close)
        pid = svc.proc.pid
        flood = 200
        start_kib = rss_kib(pid)
        barrier = threading.Barrier(flood + 1)
        answers = [None] * flood
        body = b"%PDF-" + b"x" * (UPLOAD_LIMIT - 5)

        def upload(i):
            """Announces a full-size upload, sends all of it but the last byte, waits for the others, ends it."""
            head = (f"POST /api/v1/verify/pdf HTTP/1.1\r\nHost: x\r\nContent-Type: application/pdf\r\n"
                    f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n").encode()
            with socket.create_connection(("127.0.0.1", svc.port), timeout=60,
                                          source_address=(ADDRESSES[i % len(ADDRESSES)], 0)) as s:
                s.sendall(head)
                status, headers = read_head(s)
                if status == 100:
                    s.sendall(body[:-1])
                    barrier.wait(60)
                    s.sendall(body[-1:])
                    status, headers = read_head(s)
                else:
                    barrier.wait(60)
                answers[i] = (status, headers)

        threads = [threading.Thread(target=upload, args=(i,)) for i in range(flood)]
        for t in threads:
            t.start()
        peak_kib = start_kib
        while barrier.n_waiting < flood and any(t.is_alive() for t in threads):
            peak_kib = max(peak_kib, rss_kib(pid))
            time.sleep(0.02)
        time.sleep(0.5)  # every admitted body is held now
        peak_kib = max(peak_kib, rss_kib(pid))
        barrier.wait(60)
        for t in threads:
            t.join(60)
        statuses = [a[0] if a else None for a in answers]
        busy = [a[1] for a in answers if a and a[0] == 503]
        print(f"\nRSS: start {start_kib / 1024:.1f} MiB, peak {peak_kib / 1024:.1f} MiB with {flood} uploads of "
              f"{len(body)} bytes; 400: {statuses.count(400)}, 503: {len(busy)}")
        self.assertLess(peak_kib, 256 * 1024)
        self.assertLess(peak_kib - start_kib, 64 * 1024)
        self.assertGreater(statuses.count(400), 50)    # read in full and checked
        self.assertGreater(len(busy), 0)               # the rest waits for memory
        self.assertEqual(statuses.count(400) + len(busy), flood)
        for headers in busy:
            self.assertGreaterEqual(int(headers["retry-after"]), 1)
            self.assertEqual(headers.get("connection", "").lower(), "close")
        self.assertEqual(svc.request("GET", "/healthz")[0], 200)
        time.sleep(0.5)
        after_kib = rss_kib(pid)
        print(f"RSS after the load: {after_kib / 1024:.1f} MiB")
        self.assertLess(after_kib - start_kib, 16 * 1024)


class DeadlineTest(unittest.TestCase):
    def test_body_trickle_is_cut_at_the_request_deadline(self):
        svc = Service({"ARAYIS_REQUEST_DEADLINE": "4", "ARAYIS_MIN_BODY_RATE": "0"}).start()
        self.addCleanup(svc.close)
        with socket.create_connection(("127.0.0.1", svc.port), timeout=5) as s:
            head = b"POST /api/v1/verify/pdf HTTP/1.1\r\nHost: x\r\nContent-Type: application/pdf\r\nContent-Length: 1000\r\n\r\n"
            took = trickle_until_cut(s, head + b"%", b"P", 2.0, 12)
        self.assertIsNotNone(took, "a body trickled at one byte every 2 s was still open after 12 s")
        self.assertGreater(took, 3.5)
        self.assertLess(took, 4 + 2.5)
        self.assertEqual(svc.request("GET", "/healthz")[0], 200)

    def test_slow_body_is_cut_by_the_minimum_rate(self):
        svc = Service().start()  # default deadline 30 s, minimum rate 1024 bytes/s after 5 s
        self.addCleanup(svc.close)
        with socket.create_connection(("127.0.0.1", svc.port), timeout=5) as s:
            head = (b"PUT /api/v1/billing/subscribers/1234567890 HTTP/1.1\r\nHost: x\r\n"
                    b"Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n")
            took = trickle_until_cut(s, head + b"{", b" " * 100, 1.0, 12)
        self.assertIsNotNone(took, "a body at 100 bytes/s was still open after 12 s")
        self.assertLess(took, 5 + 2)

    def test_header_trickle_is_cut_at_the_request_deadline(self):
        svc = Service({"ARAYIS_REQUEST_DEADLINE": "4"}).start()
        self.addCleanup(svc.close)
        conn = http.client.HTTPConnection("127.0.0.1", svc.port, timeout=5)
        self.addCleanup(conn.close)
        for _ in range(3):  # 6 s on one connection: each request of it gets the whole deadline
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            self.assertEqual((response.status, response.read()), (200, b'{"status":"ok"}'))
            time.sleep(2)
        self.assertIsNotNone(conn.sock)  # still the same connection
        with socket.create_connection(("127.0.0.1", svc.port), timeout=5) as s:
            took = trickle_until_cut(s, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ", b"a", 1.0, 12)
        self.assertIsNotNone(took, "headers trickled at one byte a second were still open after 12 s")
        self.assertLess(took, 4 + 1.5)


class SlotReserveTest(unittest.TestCase):
    def test_health_answers_while_idle_connections_fill_every_slot(self):
        svc = Service({"ARAYIS_MAX_CONNECTIONS": "64", "ARAYIS_MAX_CONNECTIONS_PER_IP": "40"}).start()
        self.addCleanup(svc.close)
        idle = []
        self.addCleanup(lambda: [s.close() for s in idle])
        for address in ADDRESSES:
            idle += open_idle(svc.port, address, 40)  # 160: past the 64 slots and the reserve
        time.sleep(0.5)
        latencies = []
        for _ in range(5):
            start = time.monotonic()
            conn = socket.create_connection(("127.0.0.1", svc.port), timeout=1, source_address=("127.0.0.9", 0))
            with conn:
                conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                status, _ = read_head(conn)
            latencies.append(time.monotonic() - start)
            self.assertEqual(status, 200)
            idle += open_idle(svc.port, ADDRESSES[0], 5)  # the attacker fills the freed slots again
        print(f"\n/healthz with every slot taken by idle connections: {max(latencies) * 1000:.1f} ms at most, "
              f"median {sorted(latencies)[2] * 1000:.1f} ms")
        self.assertLess(max(latencies), 1.0)
        evicted = sum(peer_closed(s, 0.01) for s in idle[:40])
        self.assertGreater(evicted, 30)  # the oldest idle connections made room

    def test_requests_past_the_soft_limit_are_shed_but_health_is_served(self):
        svc = Service({"ARAYIS_MAX_CONNECTIONS": "16", "ARAYIS_MIN_BODY_RATE": "0"}).start()
        self.addCleanup(svc.close)
        busy = open_idle(svc.port, ADDRESSES[0], 16)
        self.addCleanup(lambda: [s.close() for s in busy])
        for s in busy:  # uploads in progress: work already accepted, not idle
            s.sendall(b"POST /api/v1/verify/pdf HTTP/1.1\r\nHost: x\r\nContent-Type: application/pdf\r\n"
                      b"Content-Length: 1000\r\n\r\n%PDF-")
        time.sleep(0.5)
        with socket.create_connection(("127.0.0.1", svc.port), timeout=2, source_address=(ADDRESSES[1], 0)) as s:
            s.sendall(b"GET /api/v1/keys HTTP/1.1\r\nHost: x\r\n\r\n")
            status, headers = read_head(s)
        self.assertEqual(status, 503)
        self.assertGreaterEqual(int(headers["retry-after"]), 1)
        self.assertEqual(headers["connection"].lower(), "close")
        with socket.create_connection(("127.0.0.1", svc.port), timeout=2, source_address=(ADDRESSES[1], 0)) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertEqual(read_head(s)[0], 200)
        self.assertFalse(any(peer_closed(s, 0.01) for s in busy))  # the uploads in progress were left alone
        for s in busy:
            s.close()
        busy.clear()
        time.sleep(0.5)
        self.assertEqual(svc.request("GET", "/api/v1/keys")[0], 200)


if __name__ == "__main__":
    unittest.main()

"""Black-box tests of how the service treats its HTTP clients: request framing (RFC 9112), client addresses
behind the trusted proxy and the caps per address, rate limits keyed on the authenticated key, billing
times from the future, and who may read /metrics."""
import collections
import datetime
import http.client
import json
import os
import secrets
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import unittest

from harness import Service, wait_until
from test_deploy import shipped_site


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_answer(sock, timeout=3.0):
    """Reads one answer from sock. Returns (status or None when nothing came, head, body, closed): closed
    tells whether the server closed the connection right after the answer."""
    sock.settimeout(timeout)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        return None, b"", b"", False
    if b"\r\n\r\n" not in data:
        return None, data, b"", True
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")[1:]
                   if line.lower().startswith(b"content-length:")), 0)
    try:
        while len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
        sock.settimeout(1.0)
        rest = sock.recv(65536)
        closed = rest == b""
        body += rest
    except socket.timeout:
        closed = False
    except ConnectionResetError:
        closed = True
    return int(head.split()[1]), head, body, closed


def exchange(port, raw, source="127.0.0.1"):
    """Sends raw bytes on a new connection; returns read_answer's tuple."""
    with socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0)) as s:
        s.sendall(raw)
        return read_answer(s)


def get_from(address, port, path, headers=None, timeout=5):
    """GET path from a loopback source address; returns (status, headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(address, 0))
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def rfc3339(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class FramingTest(unittest.TestCase):
    """Every ambiguous request is answered 400 (501 for a transfer coding we do not implement) and the
    connection is closed; nothing after it on the connection is read as a request."""

    @classmethod
    def setUpClass(cls):
        cls.svc = Service().start()

    @classmethod
    def tearDownClass(cls):
        cls.svc.close()

    def assert_refused(self, raw, status, code=None):
        got, head, body, closed = exchange(self.svc.port, raw)
        self.assertEqual(got, status, head)
        self.assertIn(b"connection: close", head.lower())
        self.assertTrue(closed, "the connection stays open after a refused request")
        self.assertEqual(body.count(b"HTTP/1.1"), 0, "a second answer followed the refusal")
        if code:
            self.assertEqual(json.loads(body)["error"]["code"], code)

    def test_content_length_with_transfer_encoding(self):
        self.assert_refused(b"POST /api/v1/verify/pdf HTTP/1.1\r\nHost: x\r\nContent-Type: application/pdf\r\n"
                            b"Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "bad_request")

    def test_two_content_lengths(self):
        self.assert_refused(b"POST /api/v1/verify/pdf HTTP/1.1\r\nHost: x\r\nContent-Type: application/pdf\r\n"
                            b"Content-Length: 0\r\nContent-Length: 37\r\n\r\n"
                            b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request")

    def test_space_before_the_colon(self):
        self.assert_refused(b"POST /api/v1/verify/pdf HTTP/1.1\r\nHost: x\r\nContent-Type: application/pdf\r\n"
                            b"Content-Length : 6\r\n\r\nabcdef", 400, "bad_request")

    def test_codings_other_than_chunked(self):
        self.assert_refused(b"POST /api/v1/verify/pdf HTTP/1.1\r\nHost: x\r\nContent-Type: application/pdf\r\n"
                            b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501, "not_implemented")
        self.assert_refused(b"POST /api/v1/verify/pdf HTTP/1.1\r\nHost: x\r\nContent-Type: application/pdf\r\n"
                            b"Transfer-Encoding: x-unknown\r\n\r\n", 400, "bad_request")
        chunked = (b"POST /api/v1/verify/pdf HTTP/1.1\r\nHost: x\r\nContent-Type: application/pdf\r\n"
                   b"Transfer-Encoding: Chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
        status, _, body, closed = exchange(self.svc.port, chunked)
        self.assertEqual((status, json.loads(body)["error"]["code"]), (400, "invalid_pdf"))  # read, then judged
        self.assertFalse(closed)  # a refusal of well-framed content keeps the connection

    def test_host_missing_or_twice(self):
        self.assert_refused(b"GET /healthz HTTP/1.1\r\n\r\n", 400)
        self.assert_refused(b"GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400)
        self.assertEqual(exchange(self.svc.port, b"GET /healthz HTTP/1.0\r\n\r\n")[0], 200)  # Host is 1.1's

    def test_too_many_query_parameters_and_too_long_targets(self):
        many = "&".join(f"p{i}=v" for i in range(1000))
        self.assert_refused(f"GET /v?{many} HTTP/1.1\r\nHost: x\r\n\r\n".encode(), 414)
        self.assert_refused(f"GET /api/v1/keys?{many} HTTP/1.1\r\nHost: x\r\n\r\n".encode(), 414, "uri_too_long")
        self.assert_refused(f"GET /v?code={'A' * 9000} HTTP/1.1\r\nHost: x\r\n\r\n".encode(), 414)
        few = "&".join(f"p{i}=v" for i in range(100))
        self.assertEqual(exchange(self.svc.port, f"GET /v?{few} HTTP/1.1\r\nHost: x\r\n\r\n".encode())[0], 200)



class ClientAddressTest(unittest.TestCase):
    """Behind the trusted proxy the caps apply to each forwarded client, never to the proxy as one client."""

    CAP = 16

    def setUp(self):
        self.svc = Service({"ARAYIS_TRUSTED_PROXY": "127.0.0.1", "ARAYIS_MAX_CONNECTIONS_PER_IP": str(self.CAP)}).start()
        self.addCleanup(self.svc.close)

    def open_sockets(self, n, source):
        socks = [socket.create_connection(("127.0.0.1", self.svc.port), timeout=5, source_address=(source, 0))
                 for _ in range(n)]
        self.addCleanup(lambda: [s.close() for s in socks])
        return socks

    def test_300_proxy_connections_are_served_while_other_addresses_stay_capped(self):
        socks = self.open_sockets(300, "127.0.0.1")
        for i, s in enumerate(socks):
            s.sendall(f"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 198.51.{i // 250}.{i % 250 + 1}\r\n\r\n".encode())
        statuses = [read_answer(s)[0] for s in socks]
        self.assertEqual(statuses.count(200), 300, collections.Counter(statuses))
        socks = self.open_sockets(50, "127.0.0.2")
        refused = 0
        for s in socks:
            try:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                refused += read_answer(s, timeout=2)[0] is None
            except OSError:
                refused += 1
        self.assertGreaterEqual(refused, 50 - self.CAP - 2)  # event-loop threads may each let one more in
        self.assertEqual(get_from("127.0.0.3", self.svc.port, "/healthz")[0], 200)

    def test_one_forwarded_client_is_capped_by_requests_in_flight(self):
        held = self.open_sockets(self.CAP, "127.0.0.1")
        slow = (b"POST /api/v1/verify/pdf HTTP/1.1\r\nHost: x\r\nContent-Type: application/pdf\r\n"
                b"X-Forwarded-For: 203.0.113.7\r\nContent-Length: 100\r\n\r\n")
        for s in held:
            s.sendall(slow)  # each waits for a body that does not come: the request stays in flight
        time.sleep(0.5)
        for _ in range(3):
            status, head, body, _ = exchange(self.svc.port, slow)
            self.assertEqual(status, 429, head)
            self.assertIn(b"retry-after: 1", head.lower())
            self.assertEqual(json.loads(body)["error"]["code"], "rate_limited")
        other = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.8\r\n\r\n"
        self.assertEqual(exchange(self.svc.port, other)[0], 200)
        for s in held:
            s.close()
        again = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.7\r\n\r\n"
        self.assertTrue(wait_until(lambda: exchange(self.svc.port, again)[0] == 200, timeout=5))


def nginx_site(tmp, tls_port, plain_port, upstream_port):
    """The shipped site with only its certificate paths and ports changed."""
    site = shipped_site("nginx-arayis.conf")
    for old, new in [("/etc/ssl/arayis", tmp), ("server 127.0.0.1:8080;", f"server 127.0.0.1:{upstream_port};"),
                     ("listen 443 ssl http2;", f"listen 127.0.0.1:{tls_port} ssl http2;"),
                     ("listen 80;", f"listen 127.0.0.1:{plain_port};"),
                     ("listen [::]:443 ssl http2;", ""), ("listen [::]:80;", "")]:
        assert old in site, old
        site = site.replace(old, new)
    return site


@unittest.skipUnless(shutil.which("nginx"), "nginx is not installed")
class ThroughNginxTest(unittest.TestCase):
    CLIENTS = 300

    def start_nginx(self, upstream_port):
        tmp = tempfile.mkdtemp(prefix="arayis-nginx-")
        self.addCleanup(shutil.rmtree, tmp, True)
        os.chmod(tmp, 0o755)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-subj", "/CN=test", "-keyout", f"{tmp}/privkey.pem", "-out", f"{tmp}/fullchain.pem"],
                       check=True, capture_output=True)
        port = free_port()
        temp_paths = " ".join(f"{kind}_temp_path {tmp}/{kind};" for kind in
                              ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        conf = os.path.join(tmp, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"pid {tmp}/nginx.pid; error_log {tmp}/error.log; worker_processes 1; worker_rlimit_nofile 4096;\n"
                    f"events {{ worker_connections 2048; }}\n"
                    f"http {{ access_log off; {temp_paths}\n{nginx_site(tmp, port, free_port(), upstream_port)} }}\n")
        proc = subprocess.Popen(["nginx", "-c", conf, "-p", tmp, "-e", f"{tmp}/error.log", "-g", "daemon off;"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

        def stop():
            proc.terminate()
            proc.wait(10)
            proc.stderr.close()
        self.addCleanup(stop)

        def listening():
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return True
            except OSError:
                return False
        if not wait_until(listening, timeout=10):
            with open(f"{tmp}/error.log") as log:
                self.fail(log.read())
        return port

    def test_300_simultaneous_clients_through_the_shipped_site_get_answers(self):
        # A low per-address cap makes any capping of the proxy's own connections show at once.
        svc = Service({"ARAYIS_TRUSTED_PROXY": "127.0.0.1", "ARAYIS_MAX_CONNECTIONS_PER_IP": "16"}).start()
        self.addCleanup(svc.close)
        port = self.start_nginx(svc.port)
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        barrier = threading.Barrier(self.CLIENTS, timeout=60)
        statuses = [None] * self.CLIENTS

        def client(i):
            source = f"127.0.{1 + i // 250}.{1 + i % 250}"  # 300 distinct client addresses
            conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=30, context=context,
                                               source_address=(source, 0))
            try:
                conn.connect()
                barrier.wait()
                conn.request("GET", "/api/v1/keys")
                resp = conn.getresponse()
                resp.read()
                statuses[i] = resp.status
            except Exception as e:  # noqa: BLE001 - recorded and asserted below
                statuses[i] = repr(e)
            finally:
                conn.close()

        threads = [threading.Thread(target=client, args=(i,)) for i in range(self.CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(90)
        self.assertEqual(statuses.count(200), self.CLIENTS, collections.Counter(map(str, statuses)))


class RateLimitKeyingTest(unittest.TestCase):
    def test_spellings_of_one_key_share_its_bucket(self):
        svc = Service({"ARAYIS_RATE_API": "1", "ARAYIS_RATE_API_BURST": "3"}).start()
        self.addCleanup(svc.close)
        key = svc.create_key("egov", "portal")
        spellings = ["Bearer {}", "bearer {}", "BEARER  {}", "Bearer   {}", "bEaReR {}", "BeArEr {}", "BEARER {}"]
        statuses = [svc.request("GET", "/api/v1/applications/none", headers={"Authorization": s.format(key)})[0]
                    for s in spellings]
        self.assertEqual(statuses[:3], [404] * 3)
        self.assertGreaterEqual(statuses[3:].count(429), 3, statuses)

    def test_failed_authentication_is_limited_per_address(self):
        svc = Service().start()
        self.addCleanup(svc.close)
        key = svc.create_key("egov", "portal")
        statuses, retry_after = [], None
        for _ in range(40):
            status, headers, body = get_from("127.0.0.5", svc.port, "/api/v1/applications/none",
                                             {"Authorization": f"Bearer {secrets.token_hex(16)}"})
            statuses.append(status)
            if status == 429:
                retry_after = headers.get("Retry-After")
                self.assertEqual(json.loads(body)["error"]["code"], "rate_limited")
        self.assertEqual(statuses[:20], [401] * 20)
        self.assertGreaterEqual(statuses[20:].count(429), 15, statuses)
        self.assertGreaterEqual(int(retry_after), 1)
        self.assertEqual(get_from("127.0.0.5", svc.port, "/api/v1/applications/none")[0], 429)  # no key at all
        self.assertEqual(get_from("127.0.0.6", svc.port, "/api/v1/applications/none")[0], 401)  # another client
        self.assertEqual(get_from("127.0.0.5", svc.port, "/api/v1/applications/none",
                                  {"Authorization": f"Bearer {key}"})[0], 404)  # a real key still works


class BillingAsOfTest(unittest.TestCase):
    def setUp(self):
        self.svc = Service().start()
        self.addCleanup(self.svc.close)

    def subscriber(self, as_of, debt):
        return {"subscriber_type": "residential", "owner_fin": "5ABC7D9", "holder_name": "Məmmədov Əli",
                "debt_amount": debt, "as_of": as_of}

    def test_api_refuses_as_of_in_the_future(self):
        key = self.svc.create_key("billing", "billing")
        path = "/api/v1/billing/subscribers/1234567890"
        status, body = self.svc.json("PUT", path, self.subscriber("2099-01-01T00:00:00Z", "0.00"), key=key)
        self.assertEqual((status, body["error"]["code"]), (400, "validation_failed"), body)
        self.assertEqual([f["field"] for f in body["error"]["fields"]], ["as_of"])
        now = datetime.datetime.now(datetime.timezone.utc)
        status, body = self.svc.json("PUT", path, self.subscriber(rfc3339(now + datetime.timedelta(minutes=2)), "0.00"),
                                     key=key)
        self.assertEqual(status, 201, body)  # within the allowed clock skew
        status, body = self.svc.json("PUT", path, self.subscriber(rfc3339(now + datetime.timedelta(minutes=3)), "987.65"),
                                     key=key)
        self.assertEqual((status, body["result"], body["debt_amount"]), (200, "updated", "987.65"))
        status, body = self.svc.json("PUT", path, self.subscriber(rfc3339(now + datetime.timedelta(minutes=10)), "0.00"),
                                     key=key)
        self.assertEqual((status, body["error"]["fields"][0]["field"]), (400, "as_of"))

    def test_csv_import_refuses_as_of_in_the_future_naming_the_line(self):
        csv = os.path.join(self.svc.dir, "billing.csv")
        with open(csv, "w", encoding="utf-8") as f:
            f.write("subscriber_code,subscriber_type,owner_fin,owner_voen,holder_name,address,debt_amount,as_of\n"
                    "1234567890,residential,5ABC7D9,,Məmmədov Əli,,0.00,2026-01-01T00:00:00Z\n"
                    "1234567891,residential,7XYZ2K4,,Əliyev Vəli,,0.00,2099-01-01T00:00:00Z\n")
        out = self.svc.cli("billing", "import", csv, check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("line 3: as_of:", out.stderr)
        self.assertNotIn("line 2:", out.stderr)


class MetricsAccessTest(unittest.TestCase):
    def test_metrics_only_for_allowed_addresses(self):
        svc = Service({"ARAYIS_TRUSTED_PROXY": "127.0.0.1"}).start()
        self.addCleanup(svc.close)
        status, _, body = get_from("127.0.0.1", svc.port, "/metrics")
        self.assertEqual(status, 200)
        self.assertIn(b"# TYPE", body)
        self.assertEqual(get_from("127.0.0.2", svc.port, "/metrics")[0], 403)
        status, _, body = get_from("127.0.0.1", svc.port, "/metrics", {"X-Forwarded-For": "203.0.113.9"})
        self.assertEqual(status, 403)  # a remote client through the proxy
        self.assertNotIn(b"# TYPE", body)

    def test_allow_list_is_configurable(self):
        svc = Service({"ARAYIS_METRICS_ALLOW": "127.0.0.2, ::1"}).start()
        self.addCleanup(svc.close)
        self.assertEqual(get_from("127.0.0.2", svc.port, "/metrics")[0], 200)
        self.assertEqual(get_from("127.0.0.1", svc.port, "/metrics")[0], 403)


if __name__ == "__main__":
    unittest.main()

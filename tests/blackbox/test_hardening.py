"""Black-box tests of abuse handling: rate limits with Retry-After and recovery, slow clients, connection floods."""
import hashlib
import http.client
import json
import os
import socket
import subprocess
import tempfile
import threading
import time
import unittest

from harness import Service, engine

APPLICATION = {"subscriber_type": "residential", "subscriber_code": "1234567890",
               "applicant": {"fin": "5ABC7D9", "last_name": "Məmmədov", "first_name": "Əli", "birth_date": "1985-04-12"},
               "contact": {"mobile": "0501234567"}}


def issuing_service(test, env=None):
    """A started service with demo billing data and a portal key; stopped at the test's end."""
    svc = Service(env).start()
    test.addCleanup(svc.close)
    key = svc.create_key("egov", "portal")
    svc.cli("billing", "import", os.path.join(os.environ["ARAYIS_SHARE_DIR"], "demo", "billing.csv"))
    return svc, key


def download(svc, cert):
    """(status, SHA-256 hex) of a certificate's PDF download."""
    status, _, pdf = svc.request("GET", f'/c/{cert["number"]}.pdf?code={cert["verification_code"]}')
    return status, hashlib.sha256(pdf).hexdigest()


def get_from(address, port, path, timeout=5):
    """GET path from a given loopback source address; returns (status, headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(address, 0))
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


class RateLimitTest(unittest.TestCase):
    def test_public_limit_answers_429_with_retry_after_then_recovers(self):
        svc = Service({"ARAYIS_RATE_PUBLIC": "2", "ARAYIS_RATE_PUBLIC_BURST": "5"}).start()
        self.addCleanup(svc.close)
        statuses = [get_from("127.0.0.3", svc.port, "/v/AZI-2026-000001?code=0000000000000000")[0] for _ in range(8)]
        self.assertEqual(statuses[:5], [404] * 5)
        self.assertIn(429, statuses[5:])
        status, headers, body = get_from("127.0.0.3", svc.port, "/api/v1/keys")
        self.assertEqual(status, 429)
        self.assertGreaterEqual(int(headers["Retry-After"]), 1)
        self.assertEqual(json.loads(body)["error"]["code"], "rate_limited")
        self.assertEqual(get_from("127.0.0.4", svc.port, "/api/v1/keys")[0], 200)   # another client is not affected
        self.assertEqual(get_from("127.0.0.3", svc.port, "/healthz")[0], 200)       # health is not limited
        time.sleep(int(headers["Retry-After"]) + 0.1)
        self.assertEqual(get_from("127.0.0.3", svc.port, "/api/v1/keys")[0], 200)

    def test_api_limit_is_per_key(self):
        svc = Service({"ARAYIS_RATE_API": "1", "ARAYIS_RATE_API_BURST": "3"}).start()
        self.addCleanup(svc.close)
        first, second = svc.create_key("a", "portal"), svc.create_key("b", "portal")
        statuses = [svc.json("GET", "/api/v1/applications/none", key=first)[0] for _ in range(5)]
        self.assertEqual(statuses[:3], [404] * 3)
        self.assertEqual(statuses[3:], [429, 429])
        self.assertEqual(svc.json("GET", "/api/v1/applications/none", key=second)[0], 404)


class SlowClientTest(unittest.TestCase):
    def test_slowloris_does_not_starve_other_clients(self):
        svc = Service({"ARAYIS_CONNECTION_TIMEOUT": "3", "ARAYIS_MAX_CONNECTIONS_PER_IP": "200"}).start()
        self.addCleanup(svc.close)
        slow = []
        for _ in range(150):
            s = socket.create_connection(("127.0.0.1", svc.port), timeout=5)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            slow.append(s)
        self.addCleanup(lambda: [s.close() for s in slow])
        for second in range(2):
            for s in slow:
                try:
                    s.sendall(b"X")
                except OSError:
                    pass
            start = time.time()
            status, _, _ = get_from("127.0.0.2", svc.port, "/healthz")
            self.assertEqual(status, 200)
            self.assertLess(time.time() - start, 1.0)
            time.sleep(1)
        time.sleep(4)  # past the connection time-out: the server has dropped the silent ones
        closed = 0
        for s in slow:
            s.settimeout(0.5)
            try:
                closed += s.recv(1) == b""
            except OSError:
                closed += 1
        self.assertGreater(closed, 100)

    def test_connection_flood_is_capped_and_service_survives(self):
        svc = Service({"ARAYIS_MAX_CONNECTIONS_PER_IP": "20"}).start()
        self.addCleanup(svc.close)
        flood = []
        for _ in range(100):
            try:
                flood.append(socket.create_connection(("127.0.0.1", svc.port), timeout=2))
            except OSError:
                break
        self.addCleanup(lambda: [s.close() for s in flood])
        refused = 0
        for s in flood:
            s.settimeout(1)
            try:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                refused += s.recv(64) == b""
            except OSError:
                refused += 1
        self.assertGreaterEqual(refused, 70)
        self.assertEqual(get_from("127.0.0.2", svc.port, "/healthz")[0], 200)


@unittest.skipIf(engine() == "postgresql", "the backup is an SQLite file; PostgreSQL is backed up with its own tools")
class BackupTest(unittest.TestCase):
    def test_backup_while_serving_and_restore(self):
        svc, key = issuing_service(self)
        body = APPLICATION
        issued = [svc.json("POST", "/api/v1/applications", body, key=key)[1]["certificate"] for _ in range(5)]
        stop = threading.Event()

        def keep_writing():
            while not stop.is_set():
                svc.json("POST", "/api/v1/applications", body, key=key)

        writer = threading.Thread(target=keep_writing)
        writer.start()
        backup = os.path.join(svc.dir, "backup.db")
        out = svc.cli("backup", backup)
        stop.set()
        writer.join()
        self.assertIn("backed up", out.stdout)
        self.assertNotEqual(svc.cli("backup", backup, check=False).returncode, 0)  # never overwrites
        svc.stop()
        restored = Service(workdir=None)
        self.addCleanup(restored.close)
        restored.env["ARAYIS_KEYS_DIR"] = svc.env["ARAYIS_KEYS_DIR"]
        restored.cli("restore", backup)
        restored.start()
        for cert in issued:
            self.assertEqual(download(restored, cert), (200, cert["sha256"]))
        junk = os.path.join(svc.dir, "junk.db")
        open(junk, "wb").write(b"not a database")
        self.assertNotEqual(restored.cli("restore", junk, check=False).returncode, 0)


def mount_small_tmpfs(path, size="3m"):
    """Mounts a small tmpfs at path; returns False where this machine does not allow it."""
    os.makedirs(path, exist_ok=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", path], capture_output=True).returncode == 0


@unittest.skipIf(engine() == "postgresql", "fills the file system that holds the SQLite file")
class DiskFullTest(unittest.TestCase):
    def test_full_disk_refuses_writes_keeps_reads_and_recovers(self):
        mount = tempfile.mkdtemp(prefix="arayis-full-")
        self.addCleanup(os.rmdir, mount)  # runs last, after the unmount below
        if not mount_small_tmpfs(mount):
            self.skipTest("cannot mount a tmpfs here")
        self.addCleanup(lambda: subprocess.run(["umount", "-l", mount]))
        svc, key = issuing_service(self, {"ARAYIS_DATA_DIR": os.path.join(mount, "data")})
        body = APPLICATION
        status, first = svc.json("POST", "/api/v1/applications", body, key=key)
        self.assertEqual(status, 201)
        filler = os.path.join(mount, "filler")
        subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=64k"], capture_output=True)  # until the disk is full
        statuses = [svc.json("POST", "/api/v1/applications", body, key=key) for _ in range(5)]
        self.assertIn((503, "unavailable"), [(s, b["error"]["code"]) for s, b in statuses if s != 201])
        cert = first["certificate"]
        self.assertEqual(download(svc, cert), (200, cert["sha256"]))
        self.assertEqual(svc.json("GET", f'/v/{cert["number"]}?code={cert["verification_code"]}',
                                  headers={"Accept": "application/json"})[0], 200)
        os.unlink(filler)
        status, again = svc.json("POST", "/api/v1/applications", body, key=key)
        self.assertEqual(status, 201, again)
        self.assertEqual(download(svc, again["certificate"]), (200, again["certificate"]["sha256"]))


if __name__ == "__main__":
    unittest.main()

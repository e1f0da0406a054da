"""Black-box tests of the public transparency log (docs/transparency-log.md), checked by the independent verifier in
tlog_verifier.py: the log's root, checkpoints, proofs and entries against the certificates issued and revoked; the
auditor (`arayis log verify`) and the store check (`arayis log check-store`) against a tampered database, a forged
checkpoint and a forked log; and the log after the service is killed while issuing. A binary without the log's
routes skips these tests."""
import base64
import calendar
import hashlib
import http.client
import http.server
import json
import os
import tempfile
import threading
import time
import unittest

import tlog_verifier as v
from harness import Service, run_cli, wait_until

DEMO = os.path.join(os.environ.get("ARAYIS_SHARE_DIR", "."), "demo", "billing.csv")
ORIGIN = "arayis.test/log"
CHECKPOINT_DEADLINE_S = 5      # the spec promises a checkpoint within a second of an entry; room for a loaded machine
PAGE = 256                     # entries per GET /api/v1/log/entries
IMMUTABLE = "public, max-age=31536000, immutable"
# The residential demo subscribers: subscriber code, FIN, the holder's name as billing has it.
SUBSCRIBERS = [("1234567890", "5ABC7D9", "Məmmədov Əli Şükür oğlu"), ("1234567891", "7XYZ2K4", "Hüseynova Gülnarə İsmayıl qızı")]
MOBILE, EMAIL = "+994501234567", "ali@example.az"
# Where the service keeps the log (src/store/): the entries by index, and the signed checkpoints.
ENTRIES_TABLE, ENTRY_INDEX, ENTRY_BYTES = "tlog_entries", "idx", "entry"
CHECKPOINTS_TABLE, CHECKPOINT_SIZE, CHECKPOINT_NOTE = "tlog_checkpoints", "tree_size", "note"


def application(reference, subscriber=SUBSCRIBERS[0]):
    code, fin, _ = subscriber
    return {"portal_reference": reference, "subscriber_type": "residential", "subscriber_code": code,
            "applicant": {"fin": fin, "last_name": "Məmmədov", "first_name": "Əli", "patronymic": "Şükür oğlu",
                          "birth_date": "1985-04-12"},
            "contact": {"mobile": MOBILE, "email": EMAIL}}


def unix(text):
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


class Log:
    """A service's public log read over HTTP, every answer checked with tlog_verifier."""

    def __init__(self, svc):
        self.svc = svc
        status, keys = svc.json("GET", "/api/v1/keys")
        assert status == 200, keys
        self.key = v.parse_verifier_key(keys["log"]["verifier_key"])
        assert base64.b64decode(keys["log"]["public_key"]) == self.key.public_key, "log.public_key is not the key"
        self.signing_key_ids = {bytes.fromhex(k["sha256"]): k["current"] for k in keys["keys"]}

    def checkpoint(self):
        """(note, Checkpoint) of the latest checkpoint, its signature verified; None before the log has one."""
        status, headers, body = self.svc.request("GET", "/api/v1/log/checkpoint")
        if status == 404:
            return None
        assert status == 200, body
        assert headers["content-type"].startswith("text/plain"), headers
        note = body.decode("utf-8")
        return note, v.verify_checkpoint(note, self.key)

    def wait_for_size(self, size):
        """The first checkpoint of at least size entries, within CHECKPOINT_DEADLINE_S."""
        deadline = time.time() + CHECKPOINT_DEADLINE_S
        while True:
            latest = self.checkpoint()
            if latest is not None and latest[1].size >= size:
                return latest
            assert time.time() < deadline, f"no checkpoint of {size} entries after {CHECKPOINT_DEADLINE_S} s"
            time.sleep(0.05)

    def entries(self, size):
        """The first size entries (bytes), read PAGE at a time."""
        out = []
        while len(out) < size:
            end = min(len(out) + PAGE, size)
            status, headers, body = self.svc.request("GET", f"/api/v1/log/entries?start={len(out)}&end={end}")
            assert status == 200, body
            got = json.loads(body)["entries"]
            assert [e["index"] for e in got] == list(range(len(out), len(out) + len(got))), "entries out of order"
            assert got, f"no entries from {len(out)}"
            out += [base64.b64decode(e["entry"], validate=True) for e in got]
        return out

    def inclusion(self, size, **where):
        """(leaf index, [hashes]) of GET /api/v1/log/proof/inclusion for number= or index= at tree size."""
        query = "&".join(f"{k}={val}" for k, val in where.items())
        status, body = self.svc.json("GET", f"/api/v1/log/proof/inclusion?{query}&tree_size={size}")
        assert status == 200, body
        assert body["tree_size"] == size, body
        return body["leaf_index"], [base64.b64decode(x, validate=True) for x in body["hashes"]]

    def consistency(self, first, second):
        status, body = self.svc.json("GET", f"/api/v1/log/proof/consistency?first={first}&second={second}")
        assert status == 200, body
        assert (body["first"], body["second"]) == (first, second), body
        return [base64.b64decode(x, validate=True) for x in body["hashes"]]


def require_log():
    """Skips the calling test when the binary's router has no log routes."""
    if "GET /api/v1/log/checkpoint\n" not in run_cli(["routes"], dict(os.environ)).stdout:
        raise unittest.SkipTest("this arayis binary has no transparency log (no route GET /api/v1/log/checkpoint)")


def log_settings(extra=None):
    settings = {"ARAYIS_LOG_ORIGIN": ORIGIN, "ARAYIS_RATE_API": "0"}
    settings.update(extra or {})
    return settings


def started(settings):
    """A started Service with a portal and an admin key and the demo billing data; skips without the log."""
    require_log()
    svc = Service(settings).start()
    svc.portal = svc.create_key("egov", "portal")
    svc.admin = svc.create_key("ops", "admin")
    svc.cli("billing", "import", DEMO)
    return svc


def issue(svc, reference, subscriber=SUBSCRIBERS[0]):
    """The certificate of a new application, with its PDF's SHA-256 and its verification JSON."""
    status, body = svc.json("POST", "/api/v1/applications", application(reference, subscriber), key=svc.portal)
    assert status == 201, body
    cert = body["certificate"]
    status, _, pdf = svc.request("GET", f'/c/{cert["number"]}.pdf?code={cert["verification_code"]}')
    assert status == 200
    cert["pdf_sha256"] = hashlib.sha256(pdf).digest()
    cert["verification"] = verification(svc, cert)
    return cert


def verification(svc, cert):
    status, body = svc.json("GET", f'/v/{cert["number"]}?code={cert["verification_code"]}',
                            headers={"Accept": "application/json"})
    assert status == 200, body
    return body


class PublicLogTest(unittest.TestCase):
    """Four certificates for two subscribers, one of them revoked; a checkpoint taken after each step."""

    @classmethod
    def setUpClass(cls):
        cls.svc = started(log_settings())
        cls.log = Log(cls.svc)
        cls.certs, cls.checkpoints = [], []
        for i in range(4):
            cls.certs.append(issue(cls.svc, f"LOG-{i}", SUBSCRIBERS[i % 2]))
            cls.checkpoints.append(cls.log.wait_for_size(i + 1)[1])
        cls.revoked = cls.certs[1]
        status, body = cls.svc.json("POST", f'/api/v1/certificates/{cls.revoked["number"]}/revoke',
                                    {"reason": "Səhv məlumat", "reason_code": "key_compromise"}, key=cls.svc.admin)
        assert status == 200, body
        cls.revoked["verification"] = verification(cls.svc, cls.revoked)
        cls.note, cls.latest = cls.log.wait_for_size(cls.checkpoints[-1].size + 1)
        cls.checkpoints.append(cls.latest)
        cls.entries = cls.log.entries(cls.latest.size)
        cls.leaves = [v.leaf_hash(e) for e in cls.entries]

    @classmethod
    def tearDownClass(cls):
        cls.svc.close()

    def test_root_recomputed_from_the_entries_is_the_checkpoint_root(self):
        self.assertEqual(self.latest.size, 5)
        self.assertEqual(v.root(self.leaves), self.latest.root)
        for checkpoint in self.checkpoints:
            self.assertEqual(v.root(self.leaves[:checkpoint.size]), checkpoint.root, checkpoint)

    def test_checkpoint_is_signed_by_the_published_log_key(self):
        self.assertEqual((self.latest.origin, self.log.key.name), (ORIGIN, ORIGIN))
        self.assertEqual(self.note.split("\n")[:3], [ORIGIN, str(self.latest.size),
                                                      base64.b64encode(self.latest.root).decode()])
        self.assertTrue(self.note.endswith("\n") and "\n\n\u2014 " + ORIGIN + " " in self.note, self.note)
        # the published key is not the document-signing key
        self.assertNotIn(hashlib.sha256(self.log.key.public_key).digest(), self.log.signing_key_ids)
        other = v.parse_verifier_key(v.format_verifier_key(ORIGIN, v.raw_public_key(v.new_signing_key())))
        with self.assertRaises(v.VerifyError):
            v.verify_checkpoint(self.note, other)

    def test_every_certificate_has_an_inclusion_proof_by_number_and_by_index(self):
        for cert in self.certs:
            index = cert["verification"]["log_index"]
            with self.subTest(cert["number"]):
                self.assertEqual(v.decode_entry(self.entries[index]).number, cert["number"])
                for checkpoint in self.checkpoints:
                    if index >= checkpoint.size:
                        continue
                    by_number = self.log.inclusion(checkpoint.size, number=cert["number"])
                    by_index = self.log.inclusion(checkpoint.size, index=index)
                    self.assertEqual(by_number, by_index)
                    self.assertEqual(by_number[0], index)
                    v.verify_inclusion(index, checkpoint.size, self.leaves[index], by_number[1], checkpoint.root)
                    self.assertEqual(by_number[1], v.inclusion_proof(index, self.leaves[:checkpoint.size]))

    def test_consistency_between_every_pair_of_checkpoints_seen(self):
        sizes = sorted({c.size: c for c in self.checkpoints if c.size > 0}.items())
        for i, (first, a) in enumerate(sizes):
            for second, b in sizes[i:]:
                with self.subTest(first=first, second=second):
                    proof = self.log.consistency(first, second)
                    v.verify_consistency(first, second, proof, a.root, b.root)
                    self.assertEqual(proof, v.consistency_proof(first, self.leaves[:second]))

    def test_issuance_entries_are_the_certificates(self):
        current = [key_id for key_id, is_current in self.log.signing_key_ids.items() if is_current]
        self.assertEqual(len(current), 1)
        for cert in self.certs:
            facts = cert["verification"]
            with self.subTest(cert["number"]):
                self.assertEqual(self.entries[facts["log_index"]], v.encode_entry(v.Entry(
                    v.ISSUANCE, cert["number"], cert["pdf_sha256"], unix(facts["issued_at"]),
                    unix(facts["valid_until"]), current[0])))
                self.assertEqual(cert["pdf_sha256"].hex(), facts["sha256"])
        issued = [v.decode_entry(e).number for e in self.entries if v.decode_entry(e).type == v.ISSUANCE]
        self.assertEqual(issued, [c["number"] for c in self.certs])

    def test_revocation_entry_has_its_time_and_reason_code(self):
        facts = self.revoked["verification"]
        self.assertEqual(facts["status"], "revoked")
        index = facts["revocation_log_index"]
        self.assertEqual(index, self.latest.size - 1)
        entry = v.decode_entry(self.entries[index])
        issuance = v.decode_entry(self.entries[facts["log_index"]])
        self.assertEqual((entry.type, entry.number, entry.revoked_at, entry.reason_code),
                         (v.REVOCATION, self.revoked["number"], unix(facts["revoked_at"]),
                          v.REASON_CODES["key_compromise"]))
        self.assertEqual((entry.document_sha256, entry.issued_at, entry.valid_until, entry.signing_key_id),
                         (issuance.document_sha256, issuance.issued_at, issuance.valid_until, issuance.signing_key_id))
        for cert in self.certs:
            if cert is not self.revoked:
                self.assertNotIn("revocation_log_index", cert["verification"])

    def test_no_entry_holds_personal_data(self):
        personal = [MOBILE, MOBILE[4:], EMAIL, "1985-04-12", "Səhv məlumat"]
        for code, fin, holder in SUBSCRIBERS:
            personal += [code, fin] + holder.split()
        everything = b"".join(self.entries) + self.note.encode()
        for value in personal:
            self.assertNotIn(value.encode("utf-8"), everything, value)
        for entry in self.entries:   # nothing but the fields of the layout
            self.assertIn(len(entry) - 3 - entry[2], (80, 89))

    def test_entries_route_pages_cuts_and_caches(self):
        size = self.latest.size
        status, headers, body = self.svc.request("GET", f"/api/v1/log/entries?start=1&end={size + 100}")
        self.assertEqual(status, 200)
        self.assertEqual([base64.b64decode(e["entry"]) for e in json.loads(body)["entries"]], self.entries[1:])
        status, headers, _ = self.svc.request("GET", f"/api/v1/log/entries?start=0&end={size}")
        self.assertEqual((status, headers.get("cache-control")), (200, IMMUTABLE))
        status, headers, _ = self.svc.request("GET", f"/api/v1/log/proof/inclusion?index=0&tree_size={size}")
        self.assertEqual((status, headers.get("cache-control")), (200, IMMUTABLE))

    def test_out_of_range_parameters_are_refused(self):
        size = self.latest.size
        for path in (f"/api/v1/log/entries?start={size}&end={size + 1}", "/api/v1/log/entries?start=2&end=2",
                     "/api/v1/log/entries?start=-1&end=1", "/api/v1/log/entries?start=0&end=300",
                     f"/api/v1/log/proof/inclusion?index={size}&tree_size={size}",
                     f"/api/v1/log/proof/inclusion?index=0&tree_size={size + 1}",
                     f"/api/v1/log/proof/consistency?first=0&second={size}",
                     "/api/v1/log/proof/consistency?first=3&second=2",
                     f"/api/v1/log/proof/consistency?first=1&second={size + 1}"):
            with self.subTest(path):
                status, body = self.svc.json("GET", path)
                self.assertEqual((status, body["error"]["code"]), (400, "validation_failed"))
        status, _ = self.svc.json("GET", f"/api/v1/log/proof/inclusion?number=AZI-2020-999999&tree_size={size}")
        self.assertEqual(status, 404)


class ForgingProxy:
    """An HTTP server on loopback that passes GET requests on to a service, but answers
    GET /api/v1/log/checkpoint with a note of its own: what a client sees behind someone who forges checkpoints."""

    def __init__(self, svc, note):
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/api/v1/log/checkpoint":
                    status, content_type, body = 200, "text/plain; charset=utf-8", proxy.note.encode("utf-8")
                else:
                    conn = http.client.HTTPConnection("127.0.0.1", svc.port, timeout=30)
                    conn.request("GET", self.path, headers={"Accept": self.headers.get("Accept", "*/*")})
                    resp = conn.getresponse()
                    status, content_type, body = resp.status, resp.getheader("Content-Type"), resp.read()
                    conn.close()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.note = note
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class AuditTest(unittest.TestCase):
    """`arayis log verify` and `arayis log check-store` on a log of three certificates, then on tampered copies."""

    def setUp(self):
        self.svc = started(log_settings())
        self.addCleanup(self.svc.close)
        self.certs = [issue(self.svc, f"AUDIT-{i}", SUBSCRIBERS[i % 2]) for i in range(3)]
        self.log = Log(self.svc)
        self.note, self.checkpoint = self.log.wait_for_size(3)
        self.state = os.path.join(self.svc.dir, "auditor-state")
        self.vkey = v.format_verifier_key(self.log.key.name, self.log.key.public_key)

    def audit(self, url=None, state=None):
        return self.svc.cli("log", "verify", url or self.svc.base_url, "--state", state or self.state,
                            "--key", self.vkey, check=False)

    def check_store(self):
        return self.svc.cli("log", "check-store", check=False)

    def assert_reported(self, proc, *words):
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        said = (proc.stdout + proc.stderr).lower()
        self.assertTrue(any(w in said for w in words), f"none of {words} in: {said}")

    def assert_passes(self, proc):
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)

    def test_untouched_log_passes_and_the_auditor_keeps_its_state(self):
        self.assert_passes(self.audit())
        self.assert_passes(self.check_store())
        with open(self.state, "rb") as f:
            first_state = f.read()
        self.assertTrue(first_state)
        issue(self.svc, "AUDIT-more-0")
        issue(self.svc, "AUDIT-more-1", SUBSCRIBERS[1])
        self.log.wait_for_size(5)
        self.assert_passes(self.audit())
        with open(self.state, "rb") as f:
            self.assertNotEqual(f.read(), first_state)
        self.assert_passes(self.check_store())

    def test_a_fork_signed_by_the_same_key_fails_against_the_saved_state(self):
        self.assert_passes(self.audit())
        # another log with the same key and origin but another history, longer than the one audited
        fork = started(log_settings({"ARAYIS_KEYS_DIR": self.svc.env["ARAYIS_KEYS_DIR"]}))
        self.addCleanup(fork.close)
        for i in range(5):
            issue(fork, f"FORK-{i}", SUBSCRIBERS[1 - i % 2])
        Log(fork).wait_for_size(5)
        self.assert_reported(self.audit(fork.base_url), "consisten")
        self.assert_passes(self.audit(fork.base_url, os.path.join(self.svc.dir, "fresh-state")))

    def test_changed_document_hash_of_a_certificate(self):
        self.assert_passes(self.check_store())
        self.svc.sql_exec("UPDATE certificates SET sha256 = ? WHERE number = ?",
                          (hashlib.sha256(b"another document").hexdigest(), self.certs[1]["number"]))
        self.assert_reported(self.check_store(), self.certs[1]["number"].lower(), "sha", "hash")

    def test_changed_document_hash_in_a_stored_entry(self):
        index = self.certs[1]["verification"]["log_index"]
        entry = v.decode_entry(self.log.entries(3)[index])
        forged = v.encode_entry(v.Entry(entry.type, entry.number, hashlib.sha256(b"another document").digest(),
                                        entry.issued_at, entry.valid_until, entry.signing_key_id))
        self.svc.sql_exec(f"UPDATE {ENTRIES_TABLE} SET {ENTRY_BYTES} = ? WHERE {ENTRY_INDEX} = ?", (forged, index))
        self.assert_reported(self.audit(), "root", "hash")
        self.assert_reported(self.check_store(), "root", "hash", "entr")

    def test_deleted_entry(self):
        self.svc.sql_exec(f"DELETE FROM {ENTRIES_TABLE} WHERE {ENTRY_INDEX} = ?",
                          (self.certs[1]["verification"]["log_index"],))
        self.assert_reported(self.audit(), "entr", "root")
        self.assert_reported(self.check_store(), "entr", "root")

    def test_checkpoint_signed_by_another_key(self):
        text = self.note[:self.note.index("\n\n") + 1]
        forged = v.sign_note(text, ORIGIN, v.new_signing_key())
        self.assertEqual(forged[:len(text)], text)
        proxy = ForgingProxy(self.svc, forged)
        self.addCleanup(proxy.close)
        self.assert_reported(self.audit(proxy.url), "signature")
        proxy.note = self.note   # the same proxy with the real checkpoint passes
        self.assert_passes(self.audit(proxy.url, os.path.join(self.svc.dir, "through-proxy")))
        self.svc.sql_exec(f"UPDATE {CHECKPOINTS_TABLE} SET {CHECKPOINT_NOTE} = ? WHERE {CHECKPOINT_SIZE} = ?",
                          (forged, self.checkpoint.size))
        self.assert_reported(self.check_store(), "signature", "checkpoint")


class KilledWhileIssuingTest(unittest.TestCase):
    """Eight clients issue until the service is killed with SIGKILL; after a restart the log and the certificates
    still match."""

    def test_log_matches_the_certificates_after_kill_9(self):
        svc = started(log_settings())
        self.addCleanup(svc.close)
        acknowledged, lock, stop = {}, threading.Lock(), threading.Event()

        def client(n):
            for i in range(10 ** 6):
                if stop.is_set():
                    return
                reference = f"KILL-{n}-{i}"
                try:
                    status, body = svc.json("POST", "/api/v1/applications",
                                            application(reference, SUBSCRIBERS[n % 2]), key=svc.portal, timeout=10)
                except (OSError, http.client.HTTPException, AttributeError, ValueError):
                    continue  # the service is gone: nothing acknowledged
                if status == 201:
                    with lock:
                        acknowledged[reference] = body["certificate"]

        threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        self.assertTrue(wait_until(lambda: len(acknowledged) >= 40, timeout=60))
        svc.kill()
        stop.set()
        for t in threads:
            t.join(30)
        restarted = Service(log_settings(), workdir=svc.dir).start()
        self.addCleanup(restarted.close)
        # numbers taken in the instant of the kill are completed (or voided) by the service itself
        self.assertTrue(wait_until(lambda: restarted.sql(
            "SELECT count(*) FROM certificates WHERE sha256 = '' AND voided_at IS NULL")[0][0] == 0, timeout=60))
        issued = {number: bytes.fromhex(sha) for number, sha in restarted.sql(
            "SELECT number, sha256 FROM certificates WHERE voided_at IS NULL")}
        log = Log(restarted)
        _, checkpoint = log.wait_for_size(len(issued))
        entries = log.entries(checkpoint.size)
        self.assertEqual(v.root([v.leaf_hash(e) for e in entries]), checkpoint.root)
        decoded = [v.decode_entry(e) for e in entries]
        self.assertEqual([e.type for e in decoded], [v.ISSUANCE] * len(decoded))
        numbers = [e.number for e in decoded]
        self.assertEqual(sorted(numbers), sorted(issued), "each certificate has exactly one entry")
        by_number = {e.number: e for e in decoded}
        for number, sha in issued.items():
            self.assertEqual(by_number[number].document_sha256, sha, number)
        for cert in acknowledged.values():
            self.assertEqual(by_number[cert["number"]].document_sha256.hex(), cert["sha256"], cert["number"])
        proc = restarted.cli("log", "check-store", check=False)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        proc = restarted.cli("log", "verify", restarted.base_url, "--state",
                             os.path.join(tempfile.mkdtemp(dir=restarted.dir), "state"), "--key",
                             v.format_verifier_key(log.key.name, log.key.public_key), check=False)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)


if __name__ == "__main__":
    unittest.main()

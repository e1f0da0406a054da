"""Black-box tests of the transparency log as the service serves it (docs/transparency-log.md): the checkpoint's
signature checked with `openssl pkeyutl`, its root recomputed here from the entries, the entries against the
certificates they record, inclusion and consistency proofs checked with RFC 9162's algorithms, the limits and cache
headers of the routes, the log's place in the verification answers, revocation reason codes, the switch that turns
the log off, and the start-up backfill of certificates issued before the log (or while it was off)."""
import base64
import hashlib
import os
import struct
import subprocess
import tempfile
import time
import unittest

from harness import Service, wait_until

REASON_CODES = {"unspecified": 0, "key_compromise": 1, "superseded": 4, "cessation_of_operation": 5}
IMMUTABLE = "public, max-age=31536000, immutable"


def application(reference):
    return {"subscriber_type": "residential", "subscriber_code": "1234567890", "portal_reference": reference,
            "applicant": {"fin": "5ABC7D9", "last_name": "Məmmədov", "first_name": "Əli", "birth_date": "1985-04-12"},
            "contact": {"mobile": "050 123 45 67"}}


def sha256(data):
    return hashlib.sha256(data).digest()


def leaf_hash(entry):
    return sha256(b"\x00" + entry)


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


def mth(leaves):
    """RFC 9162 2.1.1, straight from the definition."""
    if not leaves:
        return sha256(b"")
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def skip_right_edge(fn, sn):
    while not fn & 1 and fn != 0:
        fn >>= 1
        sn >>= 1
    return fn, sn


def verify_inclusion(index, size, leaf, path, root):
    """RFC 9162 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            fn, sn = skip_right_edge(fn, sn)
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, first_root, second_root, path):
    """RFC 9162 2.1.4.2."""
    if first == second:
        return not path and first_root == second_root
    if not path:
        return False
    if first & (first - 1) == 0:
        path = [first_root] + path
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            fn, sn = skip_right_edge(fn, sn)
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root


def decode_entry(data):
    """The canonical encoding of docs/transparency-log.md, read field by field."""
    version, kind, n = data[0], data[1], data[2]
    number = data[3:3 + n].decode("ascii")
    rest = data[3 + n:]
    doc, issued, until, key = rest[:32], *struct.unpack(">qq", rest[32:48]), rest[48:80]
    entry = {"version": version, "type": kind, "number": number, "sha256": doc.hex(), "issued_at": issued,
             "valid_until": until, "key": key.hex(), "length": len(data)}
    if kind == 2:
        entry["revoked_at"], = struct.unpack(">q", rest[80:88])
        entry["reason"] = rest[88]
    return entry


def epoch(rfc3339):
    return int(time.mktime(time.strptime(rfc3339, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone)


class LogService:
    """What the tests share about one service's log."""

    def __init__(self, svc):
        self.svc = svc

    def checkpoint(self):
        status, headers, body = self.svc.request("GET", "/api/v1/log/checkpoint")
        assert status == 200, (status, body)
        text = body.decode("utf-8")
        origin, size, root = text.split("\n")[:3]
        return {"text": text, "origin": origin, "size": int(size), "root": base64.b64decode(root),
                "headers": headers}

    def size(self):
        """The latest checkpoint's size, or -1 while there is none."""
        status, _, body = self.svc.request("GET", "/api/v1/log/checkpoint")
        return int(body.split(b"\n")[1]) if status == 200 else -1

    def wait_size(self, size):
        assert wait_until(lambda: self.size() >= size, timeout=10), "no checkpoint of the tree"
        return self.checkpoint()

    def entries(self, size):
        out = []
        while len(out) < size:
            status, got = self.svc.json("GET", f"/api/v1/log/entries?start={len(out)}&end={min(size, len(out) + 256)}")
            assert status == 200, got
            for item in got["entries"]:
                assert item["index"] == len(out)
                out.append(base64.b64decode(item["entry"]))
        return out


class TransparencyLogServiceTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.svc = Service({"ARAYIS_PUBLIC_BASE_URL": "https://arayis.example.az"}).start()
        cls.log = LogService(cls.svc)
        cls.key = cls.svc.create_key("egov", "portal")
        cls.admin = cls.svc.create_key("ops", "admin")
        cls.svc.cli("billing", "import", os.path.join(os.environ["ARAYIS_SHARE_DIR"], "demo", "billing.csv"))
        cls.certs = [cls.issue(f"tlog-{i}") for i in range(6)]
        status, cls.revoked = cls.svc.json("POST", f"/api/v1/certificates/{cls.certs[2]['number']}/revoke",
                                           {"reason": "Səhv məlumat", "reason_code": "superseded"}, key=cls.admin)
        assert status == 200, cls.revoked
        cls.size = len(cls.certs) + 1

    @classmethod
    def issue(cls, reference):
        status, got = cls.svc.json("POST", "/api/v1/applications", application(reference), key=cls.key)
        assert status == 201, got
        return got["certificate"]

    @classmethod
    def tearDownClass(cls):
        cls.svc.close()

    def keys(self):
        status, keys = self.svc.json("GET", "/api/v1/keys")
        self.assertEqual(status, 200)
        return keys

    def test_checkpoint_is_signed_by_the_published_key(self):
        cp = self.log.wait_size(self.size)
        log = self.keys()["log"]
        self.assertEqual(cp["origin"], "arayis.example.az/log")
        self.assertEqual(log["origin"], cp["origin"])
        self.assertTrue(cp["headers"]["content-type"].startswith("text/plain"))
        body, _, signature_line = cp["text"].partition("\n\n")
        self.assertEqual(body.count("\n"), 2)
        self.assertTrue(signature_line.startswith("— arayis.example.az/log "))
        blob = base64.b64decode(signature_line.split(" ")[2])
        public = base64.b64decode(log["public_key"])
        key_hash = sha256(cp["origin"].encode() + b"\n\x01" + public)[:4]
        self.assertEqual(blob[:4], key_hash)
        name, hash_hex, typed = log["verifier_key"].split("+", 2)
        self.assertEqual((name, hash_hex, base64.b64decode(typed)), (cp["origin"], key_hash.hex(), b"\x01" + public))
        with tempfile.TemporaryDirectory() as d:
            paths = {n: os.path.join(d, n) for n in ("pub.der", "text", "sig")}
            for name, data in (("pub.der", bytes.fromhex("302a300506032b6570032100") + public),
                               ("text", (body + "\n").encode()), ("sig", blob[4:])):
                with open(paths[name], "wb") as f:
                    f.write(data)
            ok = subprocess.run(["openssl", "pkeyutl", "-verify", "-rawin", "-pubin", "-keyform", "DER", "-inkey",
                                 paths["pub.der"], "-in", paths["text"], "-sigfile", paths["sig"]], capture_output=True)
            self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
            with open(paths["text"], "ab") as f:
                f.write(b"x")
            bad = subprocess.run(["openssl", "pkeyutl", "-verify", "-rawin", "-pubin", "-keyform", "DER", "-inkey",
                                  paths["pub.der"], "-in", paths["text"], "-sigfile", paths["sig"]], capture_output=True)
            self.assertNotEqual(bad.returncode, 0)

    def test_root_is_the_tree_of_the_entries(self):
        cp = self.log.wait_size(self.size)
        entries = self.log.entries(cp["size"])
        self.assertEqual(mth([leaf_hash(e) for e in entries]), cp["root"])

    def test_entries_record_the_certificates_without_personal_data(self):
        cp = self.log.wait_size(self.size)
        entries = [decode_entry(e) for e in self.log.entries(cp["size"])]
        current = [k["sha256"] for k in self.keys()["keys"] if k["current"]]
        issued = [e for e in entries if e["type"] == 1][:len(self.certs)]  # other tests may issue more afterwards
        self.assertEqual([e["number"] for e in issued], [c["number"] for c in self.certs])
        for cert, entry in zip(self.certs, issued):
            status, _, pdf = self.svc.request("GET", f'/c/{cert["number"]}.pdf?code={cert["verification_code"]}')
            self.assertEqual(status, 200)
            status, facts = self.svc.json("GET", f'/v/{cert["number"]}?code={cert["verification_code"]}',
                                          headers={"Accept": "application/json"})
            self.assertEqual(entry["sha256"], hashlib.sha256(pdf).hexdigest())
            self.assertEqual((entry["version"], entry["issued_at"], entry["valid_until"], entry["key"]),
                             (1, epoch(facts["issued_at"]), epoch(facts["valid_until"]), current[0]))
            self.assertEqual(entry["length"], 1 + 1 + 1 + len(cert["number"]) + 32 + 8 + 8 + 32)
        revocations = [e for e in entries if e["type"] == 2 and e["number"] == self.revoked["number"]]
        self.assertEqual(len(revocations), 1)
        r = revocations[0]
        self.assertEqual((r["number"], r["reason"], r["revoked_at"]),
                         (self.revoked["number"], REASON_CODES["superseded"], epoch(self.revoked["revoked_at"])))
        self.assertEqual(r["length"], issued[2]["length"] + 9)
        self.assertEqual({k: v for k, v in r.items() if k in ("sha256", "issued_at", "valid_until", "key")},
                         {k: v for k, v in issued[2].items() if k in ("sha256", "issued_at", "valid_until", "key")})
        raw = b"".join(self.log.entries(cp["size"]))
        for personal in ("Məmmədov", "5ABC7D9", "1234567890", "Səhv məlumat", "994"):
            self.assertNotIn(personal.encode(), raw)

    def test_inclusion_proofs_by_number_and_index(self):
        cp = self.log.wait_size(self.size)
        leaves = [leaf_hash(e) for e in self.log.entries(cp["size"])]
        for size in range(1, cp["size"] + 1):
            root = mth(leaves[:size])
            for index in range(size):
                status, headers, _ = self.svc.request("GET", f"/api/v1/log/proof/inclusion?index={index}&tree_size={size}")
                status, proof = self.svc.json("GET", f"/api/v1/log/proof/inclusion?index={index}&tree_size={size}")
                self.assertEqual(status, 200)
                self.assertEqual(headers["cache-control"], IMMUTABLE)
                path = [base64.b64decode(h) for h in proof["hashes"]]
                self.assertTrue(verify_inclusion(index, size, leaves[index], path, root), (index, size))
                if size > 1:
                    self.assertFalse(verify_inclusion(index, size, leaves[(index + 1) % size], path, root))
        cert = self.certs[4]
        status, proof = self.svc.json("GET", f'/api/v1/log/proof/inclusion?number={cert["number"]}&tree_size={cp["size"]}')
        self.assertEqual((status, proof["leaf_index"], proof["tree_size"]), (200, 4, cp["size"]))
        self.assertTrue(verify_inclusion(4, cp["size"], leaves[4], [base64.b64decode(h) for h in proof["hashes"]],
                                         cp["root"]))

    def test_consistency_proofs_between_every_pair(self):
        cp = self.log.wait_size(self.size)
        leaves = [leaf_hash(e) for e in self.log.entries(cp["size"])]
        for second in range(1, cp["size"] + 1):
            for first in range(1, second + 1):
                status, headers, _ = self.svc.request("GET", f"/api/v1/log/proof/consistency?first={first}&second={second}")
                status, proof = self.svc.json("GET", f"/api/v1/log/proof/consistency?first={first}&second={second}")
                self.assertEqual((status, headers["cache-control"]), (200, IMMUTABLE))
                path = [base64.b64decode(h) for h in proof["hashes"]]
                self.assertTrue(verify_consistency(first, second, mth(leaves[:first]), mth(leaves[:second]), path))
                if first < second:
                    self.assertFalse(verify_consistency(first, second, mth(leaves[:second]), mth(leaves[:first]), path))

    def test_limits_and_cache_headers(self):
        cp = self.log.wait_size(self.size)
        n = cp["size"]
        self.assertEqual(cp["headers"].get("cache-control"), "no-cache")
        status, headers, _ = self.svc.request("GET", f"/api/v1/log/entries?start=0&end={n}")
        self.assertEqual((status, headers.get("cache-control")), (200, IMMUTABLE))
        status, headers, body = self.svc.request("GET", f"/api/v1/log/entries?start=1&end={n + 10}")
        self.assertEqual(status, 200)
        self.assertNotEqual(headers.get("cache-control"), IMMUTABLE)  # cut to the tree: it will grow
        self.assertEqual(body.count(b'"index"'), n - 1)
        bad = [f"/api/v1/log/entries?start={n}&end={n + 1}", "/api/v1/log/entries?start=0&end=257",
               "/api/v1/log/entries?start=2&end=2", "/api/v1/log/entries?start=-1&end=2", "/api/v1/log/entries?end=2",
               "/api/v1/log/entries?start=0x1&end=2",
               f"/api/v1/log/proof/inclusion?index={n}&tree_size={n}",
               f"/api/v1/log/proof/inclusion?index=0&tree_size={n + 1}",
               "/api/v1/log/proof/inclusion?index=0&tree_size=0", "/api/v1/log/proof/inclusion?tree_size=1",
               f'/api/v1/log/proof/inclusion?number={self.certs[0]["number"]}&index=0&tree_size=1',
               f'/api/v1/log/proof/inclusion?number={self.certs[5]["number"]}&tree_size=5',
               "/api/v1/log/proof/consistency?first=0&second=1", f"/api/v1/log/proof/consistency?first=2&second=1",
               f"/api/v1/log/proof/consistency?first=1&second={n + 1}"]
        for path in bad:
            status, got = self.svc.json("GET", path)
            self.assertEqual((status, got["error"]["code"]), (400, "validation_failed"), path)
        status, got = self.svc.json("GET", "/api/v1/log/entries?start=0&end=256")
        self.assertEqual((status, len(got["entries"])), (200, n))
        status, got = self.svc.json("GET", f"/api/v1/log/proof/inclusion?number=AZI-2026-999999&tree_size={n}")
        self.assertEqual((status, got["error"]["code"]), (404, "not_found"))

    def test_verification_answers_name_the_entries(self):
        self.log.wait_size(self.size)
        for i, cert in enumerate(self.certs):
            url = f'/v/{cert["number"]}?code={cert["verification_code"]}'
            status, facts = self.svc.json("GET", url, headers={"Accept": "application/json"})
            self.assertEqual((status, facts["log_index"]), (200, i))
            self.assertEqual(facts.get("revocation_log_index"), len(self.certs) if i == 2 else None)
            status, _, page = self.svc.request("GET", url)
            self.assertIn(f"ictimai jurnalda {i} mövqeyində qeydə alınıb".encode(), page)
            status, _, page = self.svc.request("GET", url + "&lang=en")
            self.assertIn(f"recorded in the public log at position {i}".encode(), page)

    def test_revocation_reason_codes(self):
        for name, code in REASON_CODES.items():
            cert = self.issue(f"reason-{name}")
            status, got = self.svc.json("POST", f'/api/v1/certificates/{cert["number"]}/revoke',
                                        {"reason": "səbəb", "reason_code": name}, key=self.admin)
            self.assertEqual(status, 200, got)
            status, facts = self.svc.json("GET", f'/v/{cert["number"]}?code={cert["verification_code"]}',
                                          headers={"Accept": "application/json"})
            index = facts["revocation_log_index"]
            cp = self.log.wait_size(index + 1)
            status, got = self.svc.json("GET", f"/api/v1/log/entries?start={index}&end={index + 1}")
            entry = decode_entry(base64.b64decode(got["entries"][0]["entry"]))
            self.assertEqual((entry["type"], entry["number"], entry["reason"]), (2, cert["number"], code))
            self.assertLessEqual(index + 1, cp["size"])
        cert = self.issue("reason-default")
        status, got = self.svc.json("POST", f'/api/v1/certificates/{cert["number"]}/revoke', {"reason": "səbəb"},
                                    key=self.admin)
        self.assertEqual(status, 200)
        cert = self.issue("reason-bad")
        for bad in ("affiliation_changed", 1, ""):
            status, got = self.svc.json("POST", f'/api/v1/certificates/{cert["number"]}/revoke',
                                        {"reason": "səbəb", "reason_code": bad}, key=self.admin)
            self.assertEqual((status, got["error"]["code"]), (400, "validation_failed"))
            self.assertEqual(got["error"]["fields"][0]["field"], "reason_code")
        self.assertEqual(self.svc.cli("log", "check-store", check=False).returncode, 0)

    def test_auditor_follows_the_log(self):
        cp = self.log.wait_size(self.size)
        state = os.path.join(self.svc.dir, "audit-state.json")
        url = f"http://127.0.0.1:{self.svc.port}"
        first = self.svc.cli("log", "verify", url, "--state", state, check=False)
        self.assertEqual(first.returncode, 0, first.stderr)
        self.assertIn(f'trusting the log key published at {url}/api/v1/keys', first.stdout)
        self.assertIn(self.keys()["log"]["verifier_key"], first.stdout)
        self.assertIn(f'checkpoint of {cp["size"]} entries verified', first.stdout)
        for i in range(3):
            self.issue(f"audited-{i}")
        grown = self.log.wait_size(cp["size"] + 3)
        again = self.svc.cli("log", "verify", url, "--state", state, check=False)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertNotIn("trusting", again.stdout)
        self.assertRegex(again.stdout, rf'checkpoint of {grown["size"]} entries verified .*: '
                                       rf'{grown["size"] - cp["size"]} new entries, root recomputed, consistent')
        other = subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-outform", "DER"], capture_output=True,
                               check=True).stdout
        public = subprocess.run(["openssl", "pkey", "-inform", "DER", "-pubout", "-outform", "DER"], input=other,
                                capture_output=True, check=True).stdout[-32:]
        name = cp["origin"]
        key_hash = sha256(name.encode() + b"\n\x01" + public)[:4].hex()
        wrong = f"{name}+{key_hash}+" + base64.b64encode(b"\x01" + public).decode()
        refused = self.svc.cli("log", "verify", url, "--key", wrong, check=False)
        self.assertEqual(refused.returncode, 1)
        self.assertIn("MISMATCH: the checkpoint's signature does not verify", refused.stderr)


class BackfillTest(unittest.TestCase):
    """Certificates issued while the log was off, and rows seeded before it, are appended at the next start."""

    def setUp(self):
        self.svc = Service({"ARAYIS_TRANSPARENCY_LOG": "off"})

    def tearDown(self):
        self.svc.close()

    def test_off_publishes_nothing_then_a_start_appends_what_is_missing(self):
        self.svc.start()
        key = self.svc.create_key("egov", "portal")
        admin = self.svc.create_key("ops", "admin")
        self.svc.cli("billing", "import", os.path.join(os.environ["ARAYIS_SHARE_DIR"], "demo", "billing.csv"))
        certs = []
        for i in range(3):
            status, got = self.svc.json("POST", "/api/v1/applications", application(f"off-{i}"), key=key)
            self.assertEqual(status, 201)
            certs.append(got["certificate"])
        status, _ = self.svc.json("POST", f'/api/v1/certificates/{certs[0]["number"]}/revoke',
                                  {"reason": "səbəb", "reason_code": "key_compromise"}, key=admin)
        self.assertEqual(status, 200)
        time.sleep(0.6)
        status, got = self.svc.json("GET", "/api/v1/log/checkpoint")
        self.assertEqual(status, 404)
        status, facts = self.svc.json("GET", f'/v/{certs[1]["number"]}?code={certs[1]["verification_code"]}',
                                      headers={"Accept": "application/json"})
        self.assertNotIn("log_index", facts)
        self.assertTrue(self.svc.log_events("transparency_log_off"))
        self.svc.stop()
        self.svc.cli("bench", "seed", "--count", "2100")   # more than one batch of rows without an entry
        self.svc.env["ARAYIS_TRANSPARENCY_LOG"] = "on"
        del self.svc.log_lines[:]
        self.svc.start()
        filled = self.svc.log_events("log_backfilled")
        self.assertEqual((filled[0]["issuances"], filled[0]["revocations"]), (2103, 1))
        log = LogService(self.svc)
        cp = log.wait_size(2104)
        self.assertEqual(cp["size"], 2104)
        entries = [decode_entry(e) for e in log.entries(cp["size"])]
        numbers = [e["number"] for e in entries if e["type"] == 1]
        self.assertEqual(numbers, sorted(numbers))               # in number order
        self.assertEqual(len(set(numbers)), 2103)
        self.assertEqual([(e["number"], e["reason"]) for e in entries if e["type"] == 2], [(certs[0]["number"], 1)])
        self.assertEqual(mth([leaf_hash(e) for e in log.entries(cp["size"])]), cp["root"])
        status, facts = self.svc.json("GET", f'/v/{certs[1]["number"]}?code={certs[1]["verification_code"]}',
                                      headers={"Accept": "application/json"})
        self.assertEqual(entries[facts["log_index"]]["number"], certs[1]["number"])
        self.svc.stop()
        del self.svc.log_lines[:]
        self.svc.start()                                          # nothing is left to append
        self.assertEqual(self.svc.log_events("log_backfilled"), [])
        self.assertEqual(LogService(self.svc).checkpoint()["size"], 2104)


if __name__ == "__main__":
    unittest.main()

"""Black-box tests of PAdES B-T: every signature carries a signature timestamp from a real local TSA (openssl ts
-reply behind HTTP on loopback), checked by independent tools, and the service refuses the TSA's bad answers."""
import hashlib
import json
import os
import re
import subprocess
import tempfile
import unittest

import der
import pdfcheck
from harness import Service
from tsa import Tsa


def application(reference, code="1234567890", fin="5ABC7D9"):
    return {"subscriber_type": "residential", "subscriber_code": code, "portal_reference": reference,
            "applicant": {"fin": fin, "last_name": "Məmmədov", "first_name": "Əli", "birth_date": "1985-04-12"},
            "contact": {"mobile": "050 123 45 67"}}


class TimestampTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tsa = Tsa()

    @classmethod
    def tearDownClass(cls):
        cls.tsa.close()

    def setUp(self):
        self.tsa.mode, self.tsa.delay_s = "good", 0
        self.tsa.queries.clear()
        self.tmp = tempfile.mkdtemp(prefix="arayis-bt-")

    def start(self, **env):
        settings = {"ARAYIS_TSA_URL": self.tsa.url, "ARAYIS_TSA_CA": self.tsa.ca_file,
                    "ARAYIS_TSA_TIMEOUT_MS": "2000"}
        settings.update(env)
        self.svc = Service(settings)
        self.addCleanup(self.svc.close)
        self.svc.start()
        self.key = self.svc.create_key("egov", "portal")
        self.svc.cli("billing", "import", os.path.join(os.environ["ARAYIS_SHARE_DIR"], "demo", "billing.csv"))

    def submit(self, reference):
        return self.svc.json("POST", "/api/v1/applications", application(reference), key=self.key)

    def download(self, cert):
        status, _, data = self.svc.request("GET", f'/c/{cert["number"]}.pdf?code={cert["verification_code"]}')
        self.assertEqual(status, 200)
        return data

    def save(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def check_pdf(self, data):
        status, _, body = self.svc.request("POST", "/api/v1/verify/pdf", data, content_type="application/pdf")
        self.assertEqual(status, 200)
        return json.loads(body)

    def pending_count(self):
        return self.svc.sql("SELECT count(*) FROM certificates WHERE sha256 = '' AND voided_at IS NULL")[0][0]

    def test_issued_signature_carries_a_verifiable_timestamp(self):
        self.start()
        status, got = self.submit("bt-1")
        self.assertEqual(status, 201, got)
        self.assertEqual(got["certificate"]["signature_level"], "B-T")
        pdf = self.download(got["certificate"])
        path = self.save("bt.pdf", pdf)
        self.assertTrue(pdfcheck.signature_valid(path), pdfcheck.pdfsig(path))
        cms = der.pdf_signature(pdf)
        token = der.timestamp_token(cms)
        self.assertIsNotNone(token, "no signature-time-stamp attribute in the CMS")
        token_path = self.save("token.der", token)
        imprint = hashlib.sha256(der.signature_value(cms)).hexdigest()
        proc = subprocess.run(["openssl", "ts", "-verify", "-in", token_path, "-token_in", "-digest", imprint,
                               "-CAfile", self.tsa.ca_file], capture_output=True, text=True)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertIn("Verification: OK", proc.stdout)
        # the same token does not verify for another imprint: the check above is not vacuous
        other = hashlib.sha256(b"another signature").hexdigest()
        proc = subprocess.run(["openssl", "ts", "-verify", "-in", token_path, "-token_in", "-digest", other,
                               "-CAfile", self.tsa.ca_file], capture_output=True, text=True)
        self.assertNotEqual(proc.returncode, 0)
        body = self.check_pdf(pdf)
        self.assertEqual((body["verdict"], body["signature_valid"], body["level"]), ("valid", True, "B-T"))
        self.assertRegex(body["timestamped_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        out = self.svc.cli("verify", path).stdout
        self.assertIn("level: B-T", out)
        self.assertIn(f'timestamp: {body["timestamped_at"]}', out)
        self.assertEqual(len(self.tsa.queries), 1)
        headers, _ = self.tsa.queries[0]
        self.assertEqual(headers["Content-Type"], "application/timestamp-query")

    def test_untrusted_or_altered_token_does_not_verify(self):
        self.start()
        status, got = self.submit("bt-2")
        self.assertEqual(status, 201, got)
        pdf = self.download(got["certificate"])
        path = self.save("bt.pdf", pdf)
        # without the TSA anchor, the same file's timestamp cannot be trusted
        proc = subprocess.run([os.environ["ARAYIS_BIN"], "verify", path],
                              env=dict(self.svc.env, ARAYIS_TSA_CA=os.path.join(self.tsa.dir, "rogueca.crt")),
                              capture_output=True, text=True)
        self.assertEqual(proc.returncode, 1, proc.stdout)
        self.assertIn("timestamp", proc.stdout)

    def test_bad_answers_issue_nothing(self):
        self.start()
        for n, mode in enumerate(["http_error", "refusing", "wrong_nonce", "wrong_imprint", "untrusted"]):
            with self.subTest(mode=mode):
                self.tsa.mode = mode
                status, _, body = self.svc.request("POST", "/api/v1/applications", application(f"bad-{n}"),
                                                   key=self.key)
                self.assertEqual(status, 503, body)
                self.assertEqual(json.loads(body)["error"]["code"], "unavailable")
        self.assertEqual(self.svc.json("GET", "/healthz")[0], 200)
        self.assertEqual(self.pending_count(), 5)
        # the TSA is back: the portal's retries complete the reserved numbers, and no new number is taken
        self.tsa.mode = "good"
        numbers = set()
        for n in range(5):
            status, got = self.submit(f"bad-{n}")
            self.assertEqual(status, 200, got)
            self.assertEqual((got["status"], got["certificate"]["signature_level"]), ("issued", "B-T"))
            numbers.add(got["certificate"]["number"])
            body = self.check_pdf(self.download(got["certificate"]))
            self.assertEqual((body["verdict"], body["level"]), ("valid", "B-T"))
        self.assertEqual(len(numbers), 5)
        self.assertEqual(self.pending_count(), 0)

    def test_tsa_down_answers_503_with_retry_after_within_the_bound(self):
        self.start(ARAYIS_TSA_TIMEOUT_MS="500")
        self.tsa.delay_s = 3
        import time
        began = time.monotonic()
        status, headers, body = self.svc.request("POST", "/api/v1/applications", application("slow-1"), key=self.key)
        took = time.monotonic() - began
        self.assertEqual(status, 503, body)
        self.assertIn("retry-after", headers)
        self.assertLess(took, 2.5)

    def test_tsa_not_required_issues_b_b_and_says_so(self):
        self.start(ARAYIS_TSA_REQUIRED="false")
        self.tsa.mode = "http_error"
        status, got = self.submit("bb-1")
        self.assertEqual(status, 201, got)
        cert = got["certificate"]
        self.assertEqual(cert["signature_level"], "B-B")
        status, _, page = self.svc.request("GET", f'/v/{cert["number"]}?code={cert["verification_code"]}&lang=en')
        self.assertEqual(status, 200)
        self.assertIn('data-level="B-B"', page.decode())
        self.assertIn("no timestamp", page.decode())
        pdf = self.download(got["certificate"])
        path = self.save("bb.pdf", pdf)
        self.assertTrue(pdfcheck.signature_valid(path))
        self.assertIsNone(der.timestamp_token(der.pdf_signature(pdf)))
        body = self.check_pdf(pdf)
        self.assertEqual((body["verdict"], body["level"], body["timestamped_at"]), ("valid", "B-B", None))
        self.assertTrue(any(e.get("event") == "timestamp_skipped" for e in self.svc.log_events()))


class NoTsaTest(unittest.TestCase):
    def test_without_tsa_documents_stay_b_b_and_as_small(self):
        svc = Service()
        self.addCleanup(svc.close)
        svc.start()
        key = svc.create_key("egov", "portal")
        svc.cli("billing", "import", os.path.join(os.environ["ARAYIS_SHARE_DIR"], "demo", "billing.csv"))
        status, got = svc.json("POST", "/api/v1/applications", application("plain-1"), key=key)
        self.assertEqual(status, 201)
        cert = got["certificate"]
        _, _, pdf = svc.request("GET", f'/c/{cert["number"]}.pdf?code={cert["verification_code"]}')
        self.assertIsNone(der.timestamp_token(der.pdf_signature(pdf)))
        contents = re.search(rb"/Contents\s*<([0-9A-Fa-f]*)>", pdf[pdf.rfind(b"/ByteRange"):])
        self.assertLess(len(contents.group(1)), 2 * 2048, "a B-B placeholder has no room for a token")
        status, _, body = svc.request("POST", "/api/v1/verify/pdf", pdf, content_type="application/pdf")
        self.assertEqual(json.loads(body)["level"], "B-B")


if __name__ == "__main__":
    unittest.main()

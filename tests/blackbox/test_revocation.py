"""Black-box tests of the key-compromise rule: the development signing certificate is revoked at T in the index of a
real OCSP responder (openssl ocsp over the development CA, on loopback); a signature timestamped before T stays valid,
one timestamped after T and an untimestamped one do not, in `arayis verify`, the API and the upload form."""
import json
import os
import time
import unittest

from harness import Service
from ocsp_responder import OcspResponder
from tsa import Tsa


def application(reference):
    return {"subscriber_type": "residential", "subscriber_code": "1234567890", "portal_reference": reference,
            "applicant": {"fin": "5ABC7D9", "last_name": "Məmmədov", "first_name": "Əli", "birth_date": "1985-04-12"},
            "contact": {"mobile": "050 123 45 67"}}


class RevocationTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tsa = Tsa()
        # the responder's port is known before it runs, so the service can be told where it is
        cls.svc = Service({"ARAYIS_TSA_URL": cls.tsa.url, "ARAYIS_TSA_CA": cls.tsa.ca_file,
                           "ARAYIS_TSA_REQUIRED": "false", "ARAYIS_TSA_TIMEOUT_MS": "2000",
                           "ARAYIS_OCSP_TIMEOUT_MS": "2000"})
        keys = cls.svc.env["ARAYIS_KEYS_DIR"]
        cls.signing_cert = os.path.join(keys, "signing.crt")
        cls.ocsp = OcspResponder(os.path.join(keys, "ca.crt"), os.path.join(keys, "ca.key"))
        cls.svc.env["ARAYIS_OCSP_URL"] = cls.ocsp.url   # the service's and `arayis verify`'s
        cls.svc.start()                                 # makes the development CA and signing certificate
        cls.ocsp.set_good(cls.signing_cert)
        cls.ocsp.start()
        key = cls.svc.create_key("egov", "portal")
        cls.svc.cli("billing", "import", os.path.join(os.environ["ARAYIS_SHARE_DIR"], "demo", "billing.csv"))
        cls.before = cls.issue(key, "before-T")           # B-T, timestamped before T
        cls.tsa.mode = "http_error"
        cls.untimestamped = cls.issue(key, "no-timestamp")   # B-B (the operator allows it)
        cls.tsa.mode = "good"
        cls.revoked_at = int(time.time()) + 2
        time.sleep(cls.revoked_at + 1.2 - time.time())
        cls.after = cls.issue(key, "after-T")             # B-T, timestamped after T

    @classmethod
    def issue(cls, key, reference):
        status, got = cls.svc.json("POST", "/api/v1/applications", application(reference), key=key)
        assert status == 201, got
        cert = got["certificate"]
        status, _, pdf = cls.svc.request("GET", f'/c/{cert["number"]}.pdf?code={cert["verification_code"]}')
        assert status == 200
        path = os.path.join(cls.svc.dir, f"{reference}.pdf")
        with open(path, "wb") as f:
            f.write(pdf)
        return {"level": cert["signature_level"], "pdf": pdf, "path": path}

    @classmethod
    def tearDownClass(cls):
        cls.ocsp.stop()
        cls.svc.close()
        cls.tsa.close()

    def check_api(self, doc):
        status, _, body = self.svc.request("POST", "/api/v1/verify/pdf", doc["pdf"], content_type="application/pdf")
        self.assertEqual(status, 200, body)
        return json.loads(body)

    def check_cli(self, doc):
        return self.svc.cli("verify", doc["path"], check=False)

    def test_documents_are_what_the_rule_is_about(self):
        self.assertEqual((self.before["level"], self.untimestamped["level"], self.after["level"]), ("B-T", "B-B", "B-T"))
        stamped = [self.check_api(d)["timestamped_at"] for d in (self.before, self.after)]
        at = [time.mktime(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone for s in stamped]
        self.assertLess(at[0], self.revoked_at)
        self.assertGreater(at[1], self.revoked_at)

    def test_good_certificate_keeps_every_signature_valid(self):
        self.ocsp.set_good(self.signing_cert)
        for doc in (self.before, self.untimestamped, self.after):
            body = self.check_api(doc)
            self.assertEqual((body["signature_valid"], body["signer_revocation"]["status"]), (True, "good"), body)
            self.assertEqual(self.check_cli(doc).returncode, 0)

    def test_key_compromise_at_t(self):
        self.ocsp.revoke(self.signing_cert, self.revoked_at, "keyCompromise")
        expected = {"before": True, "untimestamped": False, "after": False}
        for name, doc in (("before", self.before), ("untimestamped", self.untimestamped), ("after", self.after)):
            with self.subTest(name):
                body = self.check_api(doc)
                self.assertEqual(body["signature_valid"], expected[name], body)
                self.assertEqual(body["verdict"], "valid" if expected[name] else "not_genuine")
                revocation = body["signer_revocation"]
                self.assertEqual((revocation["status"], revocation["reason"]), ("revoked", "keyCompromise"))
                self.assertEqual(revocation["revoked_at"],
                                 time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.revoked_at)))
                proc = self.check_cli(doc)
                self.assertEqual(proc.returncode, 0 if expected[name] else 1, proc.stdout)
                self.assertIn("revocation: revoked", proc.stdout)
                if not expected[name]:
                    self.assertIn("revoked", proc.stdout.split("reason:")[1])
        # the upload form says the same
        status, page = self.upload(self.after)
        self.assertEqual(status, 200)
        self.assertIn('data-revocation="revoked"', page)

    def test_other_reasons_trust_the_claimed_time(self):
        # superseded: the key did not leak, so an untimestamped signature made before T stays valid
        self.ocsp.revoke(self.signing_cert, self.revoked_at, "superseded")
        self.assertTrue(self.check_api(self.before)["signature_valid"])
        self.assertTrue(self.check_api(self.untimestamped)["signature_valid"])
        self.assertFalse(self.check_api(self.after)["signature_valid"])

    def test_unknown_certificate_is_not_valid(self):
        self.ocsp.entries.clear()
        self.ocsp.write_index()
        try:
            body = self.check_api(self.before)
            self.assertEqual((body["signature_valid"], body["signer_revocation"]["status"]), (False, "unknown"))
        finally:
            self.ocsp.set_good(self.signing_cert)

    def test_responder_down_gives_no_verdict(self):
        self.ocsp.stop()
        try:
            status, headers, body = self.svc.request("POST", "/api/v1/verify/pdf", self.before["pdf"],
                                                     content_type="application/pdf")
            self.assertEqual(status, 503, body)
            self.assertIn("retry-after", headers)
            self.assertEqual(json.loads(body)["error"]["code"], "unavailable")
            proc = self.check_cli(self.before)
            self.assertEqual(proc.returncode, 2, proc.stdout)
            self.assertIn("OCSP", proc.stderr)
        finally:
            self.ocsp.start()

    def test_without_a_responder_nothing_is_asked(self):
        env = dict(self.svc.env)
        del env["ARAYIS_OCSP_URL"]
        import subprocess
        proc = subprocess.run([os.environ["ARAYIS_BIN"], "verify", self.untimestamped["path"]], env=env,
                              capture_output=True, text=True)
        self.assertEqual(proc.returncode, 0, proc.stdout)
        self.assertNotIn("revocation:", proc.stdout)

    def upload(self, doc):
        boundary = "arayisboundary7"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"pdf\"; filename=\"a.pdf\"\r\n"
                "Content-Type: application/pdf\r\n\r\n").encode() + doc["pdf"] + f"\r\n--{boundary}--\r\n".encode()
        status, _, page = self.svc.request("POST", "/v/pdf?lang=en", body,
                                           content_type=f"multipart/form-data; boundary={boundary}")
        return status, page.decode()


if __name__ == "__main__":
    unittest.main()

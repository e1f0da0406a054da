"""Black-box tests of the room a signature timestamp gets in /Contents: sized from the real TSA's tokens (the largest
so far plus a margin) instead of a fixed worst case, and grown, with the document built, signed and stamped again,
when the TSA's tokens become larger (a local TSA whose tokens start carrying more certificates); and of tokens
asked for without certificates once the TSA's are known, also across a renewed TSA certificate."""
import hashlib
import json
import os
import re
import subprocess
import tempfile
import unittest

import der
import pdfcheck
from harness import Service, wait_until
from ocsp_responder import OcspResponder, free_port
from tsa import Tsa

# What the room may hold beyond the signature and its token (README, "Long-term validation data"): the token margin
# (64 bytes), the attribute headers kept for the token (64) and the variation of the signature itself (16).
MAX_SLACK = 64 + 64 + 16
WORST_CASE_TOKEN_ROOM = 6144


def application(reference):
    return {"subscriber_type": "residential", "subscriber_code": "1234567890", "portal_reference": reference,
            "applicant": {"fin": "5ABC7D9", "last_name": "Məmmədov", "first_name": "Əli", "birth_date": "1985-04-12"},
            "contact": {"mobile": "050 123 45 67"}}


def contents_room(pdf):
    """The bytes /Contents holds (half its hex digits) in the last signature of pdf."""
    found = list(re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf))[-1]
    a, b, c, _ = (int(x) for x in found.groups())
    return (c - (a + b) - 2) // 2


def asks_for_certificates(query):
    """Whether a DER TimeStampReq has certReq TRUE (absent means FALSE)."""
    return any(f.tag == 0x01 and f.content != b"\x00" for f in der.parse(query).children())


def certificate_der(pem_file):
    return subprocess.run(["openssl", "x509", "-in", pem_file, "-outform", "DER"], capture_output=True,
                          check=True).stdout


def token_certificate_ders(token):
    signed_data = der.parse(token).children()[1].children()[0]
    bags = [c for c in signed_data.children() if c.tag == 0xA0]
    return [c.raw for c in bags[0].children()] if bags else []


def token_certificates(token):
    """How many certificates the SignedData of a DER timestamp token carries."""
    signed_data = der.parse(token).children()[1].children()[0]
    bags = [c for c in signed_data.children() if c.tag == 0xA0]
    return len(bags[0].children()) if bags else 0


class TimestampRoomTest(unittest.TestCase):
    def setUp(self):
        self.tsa = Tsa()
        self.addCleanup(self.tsa.close)
        self.tmp = tempfile.mkdtemp(prefix="arayis-room-")

    def start(self, **env):
        settings = {"ARAYIS_TSA_URL": self.tsa.url, "ARAYIS_TSA_CA": self.tsa.ca_file,
                    "ARAYIS_TSA_TIMEOUT_MS": "2000"}
        settings.update(env)
        svc = Service(settings)
        self.addCleanup(svc.close)
        return svc

    def ready(self, svc):
        svc.key = svc.create_key("egov", "portal")
        svc.cli("billing", "import", os.path.join(os.environ["ARAYIS_SHARE_DIR"], "demo", "billing.csv"))

    def issue(self, svc, reference, level="B-T"):
        """Issues one certificate; returns its PDF, its CMS and how many queries the TSA got meanwhile."""
        before = len(self.tsa.queries)
        status, got = svc.json("POST", "/api/v1/applications", application(reference), key=svc.key)
        self.assertEqual(status, 201, got)
        cert = got["certificate"]
        self.assertEqual(cert["signature_level"], level)
        queries = len(self.tsa.queries) - before
        status, _, pdf = svc.request("GET", f'/c/{cert["number"]}.pdf?code={cert["verification_code"]}')
        self.assertEqual(status, 200)
        return pdf, der.pdf_signature(pdf), queries

    def assert_sound(self, svc, name, pdf, cms, level="B-T"):
        """pdfsig, qpdf, openssl ts and our own check all accept the document and its timestamp."""
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(pdf)
        self.assertTrue(pdfcheck.signature_valid(path), pdfcheck.pdfsig(path))
        self.assertIn(b"No syntax or stream encoding errors",
                      subprocess.run(["qpdf", "--check", path], capture_output=True).stdout)
        token_path = os.path.join(self.tmp, name + ".tst")
        with open(token_path, "wb") as f:
            f.write(der.timestamp_token(cms))
        imprint = hashlib.sha256(der.signature_value(cms)).hexdigest()
        proc = subprocess.run(["openssl", "ts", "-verify", "-in", token_path, "-token_in", "-digest", imprint,
                               "-CAfile", self.tsa.ca_file], capture_output=True, text=True)
        self.assertIn("Verification: OK", proc.stdout, proc.stderr)
        status, _, body = svc.request("POST", "/api/v1/verify/pdf", pdf, content_type="application/pdf")
        report = json.loads(body)
        self.assertEqual((status, report["verdict"], report["signature_valid"], report["level"]),
                         (200, "valid", True, level))
        self.assertIsNotNone(report["timestamped_at"])

    def test_room_is_sized_from_the_tsa_tokens(self):
        svc = self.start()
        svc.start()
        self.ready(svc)
        # the first stamp of a service that has not met the TSA yet gets the worst-case room
        first, first_cms, queries = self.issue(svc, "room-1")
        self.assertEqual(queries, 1)
        self.assertGreaterEqual(contents_room(first) - len(first_cms),
                                WORST_CASE_TOKEN_ROOM - len(der.timestamp_token(first_cms)))
        # from then on the room is the token's size and the margin
        second, cms, queries = self.issue(svc, "room-2")
        self.assertEqual(queries, 1)
        slack = contents_room(second) - len(cms)
        self.assertGreaterEqual(slack, 0)
        self.assertLessEqual(slack, MAX_SLACK, f"{contents_room(second)} bytes of room for a {len(cms)}-byte CMS")
        self.assertLess(len(second), len(first))
        self.assert_sound(svc, "room-2.pdf", second, cms)

    def test_token_larger_than_its_room_is_stamped_again_in_a_grown_room(self):
        svc = self.start()
        svc.start()
        self.ready(svc)
        self.issue(svc, "grow-1")
        small, small_cms, _ = self.issue(svc, "grow-2")
        small_token = der.timestamp_token(small_cms)
        self.assertEqual(token_certificates(small_token), 2)
        # the TSA's tokens now carry two more certificates: far more than the margin
        self.tsa.mode = "grown"
        pdf, cms, queries = self.issue(svc, "grow-3")
        token = der.timestamp_token(cms)
        self.assertEqual(token_certificates(token), 4, "the grown token is the one in the signature")
        self.assertGreater(len(token), len(small_token) + 64)
        self.assertEqual(queries, 2, "the first token did not fit: built, signed and stamped again")
        self.assertLessEqual(contents_room(pdf) - len(cms), MAX_SLACK)
        self.assert_sound(svc, "grow-3.pdf", pdf, cms)
        # the grown size is remembered: the next document fits at the first stamp
        pdf, cms, queries = self.issue(svc, "grow-4")
        self.assertEqual(queries, 1)
        self.assertEqual(token_certificates(der.timestamp_token(cms)), 4)
        self.assertLessEqual(contents_room(pdf) - len(cms), MAX_SLACK)
        self.assert_sound(svc, "grow-4.pdf", pdf, cms)
        # smaller tokens again fit the grown room
        self.tsa.mode = "good"
        pdf, cms, queries = self.issue(svc, "grow-5")
        self.assertEqual(queries, 1)
        self.assertEqual(contents_room(pdf), contents_room(self.issue(svc, "grow-6")[0]))
        self.assert_sound(svc, "grow-5.pdf", pdf, cms)

    def test_known_certificates_are_not_asked_again_until_the_tsa_signs_with_another(self):
        svc = self.start()
        svc.start()
        self.ready(svc)
        tsa_ders = [certificate_der(os.path.join(self.tsa.dir, name)) for name in ("tsa.crt", "ca.crt")]
        self.issue(svc, "known-1")
        self.assertTrue(asks_for_certificates(self.tsa.queries[-1][1]), "the first token is asked with certificates")
        pdf, cms, queries = self.issue(svc, "known-2")
        self.assertEqual(queries, 1)
        self.assertFalse(asks_for_certificates(self.tsa.queries[-1][1]), "the TSA's certificates are known")
        # the embedded token still carries them, as the TSA sends them
        self.assertEqual(sorted(token_certificate_ders(der.timestamp_token(cms))), sorted(tsa_ders))
        self.assert_sound(svc, "known-2.pdf", pdf, cms)
        # the TSA now signs with a renewed certificate: the token without certificates does not verify with the known
        # ones, so it is asked again with them
        self.tsa.mode = "renewed"
        renewed_ders = [certificate_der(os.path.join(self.tsa.dir, name)) for name in ("tsa2.crt", "ca.crt")]
        pdf, cms, queries = self.issue(svc, "known-3")
        self.assertEqual(queries, 2)
        self.assertEqual([asks_for_certificates(q) for _, q in self.tsa.queries[-2:]], [False, True])
        self.assertEqual(sorted(token_certificate_ders(der.timestamp_token(cms))), sorted(renewed_ders))
        self.assert_sound(svc, "known-3.pdf", pdf, cms)
        pdf, cms, queries = self.issue(svc, "known-4")
        self.assertEqual(queries, 1)
        self.assertFalse(asks_for_certificates(self.tsa.queries[-1][1]))
        self.assertEqual(sorted(token_certificate_ders(der.timestamp_token(cms))), sorted(renewed_ders))
        self.assert_sound(svc, "known-4.pdf", pdf, cms)
        # a TSA whose tokens name its CA too cannot be checked against its certificate alone: the known chain is
        # checked again, and its tokens are still asked for without certificates
        self.tsa.mode = "chain_ids"
        self.issue(svc, "known-5")
        for reference in ("known-6", "known-7"):
            pdf, cms, queries = self.issue(svc, reference)
            self.assertEqual(queries, 1)
            self.assertFalse(asks_for_certificates(self.tsa.queries[-1][1]))
            self.assert_sound(svc, f"{reference}.pdf", pdf, cms)
        # a token from an untrusted TSA is refused however it is asked
        self.tsa.mode = "untrusted"
        status, _, body = svc.request("POST", "/api/v1/applications", application("known-8"), key=svc.key)
        self.assertEqual(status, 503, body)

    def test_b_lt_room_is_measured_at_start_up(self):
        tsa_ocsp_port = free_port()
        self.tsa.close()
        self.tsa = Tsa(ocsp_url=f"http://127.0.0.1:{tsa_ocsp_port}/")
        self.addCleanup(self.tsa.close)
        tsa_ocsp = OcspResponder(self.tsa.ca_file, os.path.join(self.tsa.dir, "ca.key"), next_minutes=10,
                                 port=tsa_ocsp_port)
        tsa_ocsp.set_good(os.path.join(self.tsa.dir, "tsa.crt"))
        tsa_ocsp.start()
        self.addCleanup(tsa_ocsp.stop)
        svc = self.start(ARAYIS_OCSP_TIMEOUT_MS="1000")
        keys = svc.env["ARAYIS_KEYS_DIR"]
        ocsp = OcspResponder(os.path.join(keys, "ca.crt"), os.path.join(keys, "ca.key"), next_minutes=10)
        svc.env["ARAYIS_OCSP_URL"] = ocsp.url
        svc.start()
        ocsp.set_good(os.path.join(keys, "signing.crt"))
        ocsp.start()
        self.addCleanup(ocsp.stop)
        self.ready(svc)
        self.assertTrue(wait_until(lambda: svc.log_events("validation_data"), timeout=15), svc.log_lines[-5:])
        # the token asked at start for the TSA's chain measured the room: the very first document is sized
        pdf, cms, queries = self.issue(svc, "lt-room-1", level="B-LT")
        self.assertEqual(queries, 1)
        self.assertLessEqual(contents_room(pdf) - len(cms), MAX_SLACK)
        self.assert_sound(svc, "lt-room-1.pdf", pdf, cms, level="B-LT")


if __name__ == "__main__":
    unittest.main()

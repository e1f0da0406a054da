"""Black-box tests of what a verifier is told: the PDF check leads with the certificate's status, samples are no
certificates, signatures count only inside their key's validity, and nothing tells whether a number or id exists
(not another portal's 404, not a path cut at a NUL, not the work done for a wrong code)."""
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import unittest

import harness
import pdfcheck
from harness import Service, engine, run_cli
from test_verification import multipart

SAMPLE_NUMBER = "AZI-NÜMUNƏ-000000"


def verdict_section(html):
    """The <section id="verdict"> of a page and the certificate facts after it (up to the end of the first <dl>)."""
    match = re.search(r'<section class="verdict[^"]*" id="verdict".*?</section>\s*<dl>.*?</dl>', html, re.S)
    return match.group(0) if match else None


class Issuer:
    """Issues certificates through the API of a running service."""

    def __init__(self, svc):
        self.svc = svc
        self.portal = svc.create_key("egov", "portal")
        self.other_portal = svc.create_key("azerishiq", "portal")
        self.admin = svc.create_key("ops", "admin")
        billing = svc.create_key("billing", "billing")
        status, _ = svc.json("PUT", "/api/v1/billing/subscribers/1234567890", {
            "subscriber_type": "residential", "owner_fin": "5ABC7D9", "holder_name": "Məmmədov Əli Şükür oğlu",
            "address": "Bakı", "debt_amount": "0.00", "as_of": "2026-11-25T09:00:00Z"}, key=billing)
        assert status in (200, 201), status

    def issue(self):
        status, got = self.svc.json("POST", "/api/v1/applications", {
            "subscriber_type": "residential", "subscriber_code": "1234567890",
            "applicant": {"fin": "5ABC7D9", "last_name": "Məmmədov", "first_name": "Əli", "birth_date": "1985-04-12"},
            "contact": {"mobile": "+994501234567"}}, key=self.portal)
        assert status == 201, got
        return got

    def pdf(self, cert):
        status, _, data = self.svc.request("GET", f'/c/{cert["number"]}.pdf?code={cert["verification_code"]}')
        assert status == 200, status
        return data


class VerdictTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.svc = Service().start()
        cls.issuer = Issuer(cls.svc)
        cls.tmp = tempfile.mkdtemp(prefix="arayis-verdicts-")

    @classmethod
    def tearDownClass(cls):
        cls.svc.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def upload(self, pdf, lang=""):
        body, ctype = multipart("pdf", "arayis.pdf", pdf)
        status, _, data = self.svc.request("POST", "/v/pdf" + lang, body, content_type=ctype)
        return status, data.decode("utf-8")

    def check_api(self, pdf):
        status, body = self.svc.json("POST", "/api/v1/verify/pdf", pdf, content_type="application/pdf")
        self.assertEqual(status, 200, body)
        return body

    def page(self, cert, lang=""):
        status, _, data = self.svc.request("GET", f'/v/{cert["number"]}?code={cert["verification_code"]}{lang}')
        self.assertEqual(status, 200)
        return data.decode("utf-8")

    def revoke(self, cert, reason):
        status, _ = self.svc.json("POST", f'/api/v1/certificates/{cert["number"]}/revoke', {"reason": reason},
                                  key=self.issuer.admin)
        self.assertEqual(status, 200)

    # --- the PDF check leads with the certificate's status ---------------------------------------------------

    def test_uploaded_revoked_file_leads_with_revocation(self):
        cert = self.issuer.issue()["certificate"]
        pdf = self.issuer.pdf(cert)
        self.revoke(cert, "Səhv məlumat əsasında verilib")
        status, html = self.upload(pdf)
        self.assertEqual(status, 200)
        heading = re.search(r'id="verdict" data-status="([a-z_]+)">\s*<h1>([^<]*)</h1>', html)
        self.assertEqual(heading.groups(), ("revoked", "Ləğv edilib"))
        self.assertNotIn("Fayl həqiqidir", html)
        self.assertIn("Səhv məlumat əsasında verilib", html)
        self.assertRegex(html, r"Ləğv edilmə tarixi</dt><dd>\d\d\.\d\d\.\d{4}</dd>")
        self.assertIn("Bəli, fayl verilmiş arayışla eynidir", html)  # a secondary fact, below the verdict
        self.assertLess(html.index("Ləğv edilib"), html.index("Bəli, fayl verilmiş arayışla eynidir"))
        self.assertEqual(verdict_section(html), verdict_section(self.page(cert)))
        status, html_en = self.upload(pdf, "?lang=en")
        self.assertNotIn("Genuine file", html_en)
        self.assertEqual(verdict_section(html_en), verdict_section(self.page(cert, "&lang=en")))
        self.assertIn("<h1>Revoked</h1>", html_en)

    def test_uploaded_expired_file_leads_with_expiry(self):
        cert = self.issuer.issue()["certificate"]
        self.svc.sql_exec("UPDATE certificates SET valid_until = issued_at - 1 WHERE number = ?", (cert["number"],))
        status, html = self.upload(self.issuer.pdf(cert))
        self.assertIn('data-status="expired">\n<h1>Müddəti bitib</h1>', html)
        self.assertNotIn("Fayl həqiqidir", html)
        self.assertEqual(verdict_section(html), verdict_section(self.page(cert)))
        body = self.check_api(self.issuer.pdf(cert))
        self.assertEqual((body["verdict"], body["status"], body["registered"]), ("expired", "expired", True))
        self.assertEqual(body["issued_at"], cert["issued_at"])
        self.assertLess(body["valid_until"], cert["issued_at"])

    def test_pdf_api_verdict_carries_the_status(self):
        cert = self.issuer.issue()["certificate"]
        pdf = self.issuer.pdf(cert)
        body = self.check_api(pdf)
        self.assertEqual((body["verdict"], body["status"], body["number"]), ("valid", "valid", cert["number"]))
        self.assertEqual((body["issued_at"], body["valid_until"]), (cert["issued_at"], cert["valid_until"]))
        self.assertIsNone(body["revoked_at"])
        self.revoke(cert, "Abonent müraciət edib")
        body = self.check_api(pdf)
        self.assertEqual((body["verdict"], body["status"], body["revocation_reason"]),
                         ("revoked", "revoked", "Abonent müraciət edib"))
        self.assertRegex(body["revoked_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        tampered = bytearray(pdf)
        tampered[300] ^= 0x01
        body = self.check_api(bytes(tampered))
        self.assertEqual((body["verdict"], body["signature_valid"], body["registered"]), ("not_genuine", False, False))
        self.assertNotIn("revoked_at", body)
        status, html = self.upload(bytes(tampered))
        self.assertIn('data-status="not_genuine">\n<h1>Fayl həqiqi deyil</h1>', html)

    # --- another portal's resources ----------------------------------------------------------------------------

    def test_another_portals_application_and_certificate_answer_like_unknown_ones(self):
        got = self.issuer.issue()
        other = self.issuer.other_portal
        unknown_app = self.svc.request("GET", "/api/v1/applications/01NOSUCHAPPLICATION0000000", key=other)
        foreign_app = self.svc.request("GET", f'/api/v1/applications/{got["application_id"]}', key=other)
        self.assertEqual(foreign_app[0], 404)
        self.assertEqual((foreign_app[0], foreign_app[2]), (unknown_app[0], unknown_app[2]))
        unknown_cert = self.svc.request("GET", "/api/v1/certificates/AZI-2026-999999", key=other)
        foreign_cert = self.svc.request("GET", f'/api/v1/certificates/{got["certificate"]["number"]}', key=other)
        self.assertEqual(foreign_cert[0], 404)
        self.assertEqual((foreign_cert[0], foreign_cert[2]), (unknown_cert[0], unknown_cert[2]))
        self.assertEqual(self.svc.json("GET", f'/api/v1/applications/{got["application_id"]}',
                                       key=self.issuer.portal)[0], 200)

    # --- control characters in the path ------------------------------------------------------------------------

    def raw_get(self, target, method="GET"):
        """Sends the request target exactly as given; returns (status, body bytes)."""
        with socket.create_connection(("127.0.0.1", self.svc.port), timeout=30) as s:
            s.sendall(f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                      f"Content-Length: 0\r\n\r\n".encode())
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        return int(head.split()[1]), body

    def test_escaped_control_characters_never_match_a_route(self):
        cert = self.issuer.issue()["certificate"]
        number, code = cert["number"], cert["verification_code"]
        self.assertEqual(self.raw_get(f"/c/{number}.pdf?code={code}")[0], 200)
        for target in (f"/c/{number}.pdf%00?code={code}", f"/c/{number}.pdf%00.txt?code={code}",
                       f"/v/{number}%00?code={code}", f"/v/{number}%0d%0a?code={code}", f"/v/{number}%1f?code={code}",
                       "/healthz%00", "/v%00", "/api/v1/keys%00"):
            status, body = self.raw_get(target)
            self.assertEqual(status, 404, target)
            self.assertNotIn(b"%PDF", body)
        self.assertEqual(self.raw_get("/v/pdf%00", "POST")[0], 404)
        self.assertEqual(self.raw_get(f"/v/{number}?code={code}%00")[0], 404)  # a value is not cut either

    # --- samples -------------------------------------------------------------------------------------------------

    def test_sample_is_marked_numbered_outside_the_register_and_not_ours(self):
        keys = os.path.join(self.tmp, "sample-keys")
        path = os.path.join(self.tmp, "sample.pdf")
        run_cli(["render", "--sample", path, "--debt", "1234.56"], dict(self.svc.env, ARAYIS_KEYS_DIR=keys))
        self.assertFalse(os.path.exists(keys))  # neither reads nor makes signing keys
        text = pdfcheck.text(path)
        self.assertTrue("".join(text.split()).startswith("NÜMUNƏ·SAMPLE"), text[:200])
        self.assertIn(f"Arayışın nömrəsi {SAMPLE_NUMBER}", text)
        self.assertNotRegex(text, r"AZI-\d{4}-\d{6}")
        self.assertIn("AZI-N%C3%9CMUN%C6%8F-000000", pdfcheck.qr_payload(path))
        report = pdfcheck.pdfsig(path)
        self.assertNotIn(self.signer_cn(), report)
        verify = run_cli(["verify", path], self.svc.env, check=False)  # against the service's own keys
        self.assertEqual(verify.returncode, 1, verify.stdout)
        self.assertIn("not one of our keys", verify.stdout)
        with open(path, "rb") as f:
            pdf = f.read()
        body = self.check_api(pdf)
        self.assertEqual((body["verdict"], body["signature_valid"], body["registered"]), ("not_genuine", False, False))
        status, _, _ = self.svc.request("GET", "/v/AZI-N%C3%9CMUN%C6%8F-000000?code=K7Q2M9XD4P8T3R6W")
        self.assertEqual(status, 404)

    def signer_cn(self):
        status, body = self.svc.json("GET", "/api/v1/keys")
        return re.search(r"CN=([^,]+)", body["keys"][0]["subject"]).group(1)

    # --- the work done for a wrong code ----------------------------------------------------------------------------

    @unittest.skipUnless(shutil.which("valgrind"), "valgrind is not installed")
    @unittest.skipIf(engine() == "postgresql", "every run starts from a copy of the SQLite data directory")
    def test_wrong_code_costs_the_same_for_known_and_unknown_numbers(self):
        binary = shutil.which(harness.ARAYIS_BIN) or harness.ARAYIS_BIN
        with open(binary, "rb") as f:
            if b"__asan_init" in f.read():
                self.skipTest("callgrind cannot run a sanitizer build")
        cert = self.issuer.issue()["certificate"]
        code = cert["verification_code"]
        wrong = ("1" if code[0] != "1" else "2") + code[1:]
        snapshot = os.path.join(self.tmp, "snapshot")  # every run starts from the same data
        shutil.copytree(self.svc.env["ARAYIS_DATA_DIR"], snapshot)
        for handler, template in (("verify_page", "/v/{}?code={}"), ("certificates_download", "/c/{}.pdf?code={}")):
            known = instructions_per_request(binary, snapshot, self.svc.env, handler, template.format(cert["number"], wrong))
            unknown = instructions_per_request(binary, snapshot, self.svc.env, handler,
                                               template.format("AZI-2026-999999", wrong))
            # before, a known number read and copied its whole row: 35-40 % more work on the page, 85-165 % on the
            # download; now the two differ by the heap's whims when the page is built (up to about 1 %)
            self.assertLess(abs(known - unknown) / unknown, 0.03, (handler, known, unknown))


def instructions_per_request(binary, snapshot, env, function, path, first=10, then=50):
    """Instructions executed inside function per GET of path, counted by callgrind on a copy of the snapshot data
    directory: the count after first + then requests less the count after first, divided by then, so that the
    costs of the first requests (opening the database) fall out."""
    counts = []
    for n in (first, first + then):
        work = tempfile.mkdtemp(prefix="arayis-callgrind-")
        out = os.path.join(work, "callgrind.out")
        shutil.copytree(snapshot, os.path.join(work, "data"))
        wrapper = os.path.join(work, "arayis")
        with open(wrapper, "w") as f:
            f.write(f'#!/bin/sh\nexec valgrind --tool=callgrind --callgrind-out-file={out} --collect-atstart=no '
                    f'--toggle-collect={function} "{binary}" "$@"\n')
        os.chmod(wrapper, 0o755)
        real, harness.ARAYIS_BIN = harness.ARAYIS_BIN, wrapper
        svc = Service({"ARAYIS_DATA_DIR": os.path.join(work, "data"), "ARAYIS_KEYS_DIR": env["ARAYIS_KEYS_DIR"],
                       "ARAYIS_THREADS": "1"}, workdir=work)
        try:
            svc.start(timeout=120)
            conn = http.client.HTTPConnection("127.0.0.1", svc.port, timeout=60)
            for _ in range(n):
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                assert response.status == 404, response.status
            conn.close()
            svc.stop()
            with open(out) as f:
                counts.append(max(int(line.split()[1]) for line in f if line.startswith(("summary:", "totals:"))))
        finally:
            harness.ARAYIS_BIN = real
            svc.close()
            shutil.rmtree(work, ignore_errors=True)
    return (counts[1] - counts[0]) / then


class SigningTimeTest(unittest.TestCase):
    """A service whose signing certificate expired before it signed: its documents are not valid."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="arayis-expired-key-")
        cls.keys = os.path.join(cls.tmp, "keys")
        make_keys(cls.keys, "20200101000000Z", "20210101000000Z")
        cls.svc = Service({"ARAYIS_KEYS_DIR": cls.keys}).start()
        cls.issuer = Issuer(cls.svc)

    @classmethod
    def tearDownClass(cls):
        cls.svc.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_signature_made_after_its_certificate_expired_is_not_valid(self):
        cert = self.issuer.issue()["certificate"]
        path = os.path.join(self.tmp, "late.pdf")
        with open(path, "wb") as f:
            f.write(self.issuer.pdf(cert))
        out = run_cli(["verify", path], self.svc.env, check=False)
        self.assertEqual(out.returncode, 1, out.stdout)
        self.assertIn("outside the validity of its signing certificate", out.stdout)
        with open(path, "rb") as f:
            status, body = self.svc.json("POST", "/api/v1/verify/pdf", f.read(), content_type="application/pdf")
        self.assertEqual((status, body["signature_valid"], body["verdict"]), (200, False, "not_genuine"))

    def test_signature_made_inside_its_certificates_validity_stays_valid(self):
        keys = os.path.join(self.tmp, "current-keys")
        run_cli(["keygen"], dict(self.svc.env, ARAYIS_KEYS_DIR=keys))
        svc = Service({"ARAYIS_KEYS_DIR": keys}).start()
        try:
            issuer = Issuer(svc)
            cert = issuer.issue()["certificate"]
            path = os.path.join(self.tmp, "in-time.pdf")
            with open(path, "wb") as f:
                f.write(issuer.pdf(cert))
            out = run_cli(["verify", path], svc.env, check=False)
            self.assertEqual(out.returncode, 0, out.stdout)
            self.assertIn(f'certificate: {cert["number"]}\n', out.stdout)
            self.assertIn(f'signed at: {cert["issued_at"]}\n', out.stdout)
        finally:
            svc.close()


def make_keys(keys, not_before, not_after):
    """A CA and a signing certificate valid from not_before to not_after (YYYYMMDDHHMMSSZ), made with openssl."""
    os.makedirs(keys, mode=0o700)
    config = os.path.join(keys, "ca.cnf")
    with open(config, "w") as f:
        f.write("[ca]\ndefault_ca = own\n[own]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\n"
                "default_md = sha256\npolicy = any\nunique_subject = no\nx509_extensions = leaf\n"
                "[any]\ncommonName = supplied\n"
                "[leaf]\nbasicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature,nonRepudiation\n")
    open(os.path.join(keys, "index.txt"), "w").close()
    with open(os.path.join(keys, "serial"), "w") as f:
        f.write("1000\n")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    steps = [
        ["openssl", "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-subj", "/CN=Test root CA",
         "-days", "3650", "-set_serial", "1", "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
        ["openssl", "req", "-new", *ec, "-keyout", "signing.key", "-out", "signing.csr", "-subj", "/CN=Old signing key"],
        ["openssl", "ca", "-batch", "-config", "ca.cnf", "-cert", "ca.crt", "-keyfile", "ca.key", "-in", "signing.csr",
         "-out", "signing.crt", "-startdate", not_before, "-enddate", not_after, "-notext"],
    ]
    for step in steps:
        proc = subprocess.run(step, cwd=keys, capture_output=True)
        assert proc.returncode == 0, proc.stderr.decode()
    os.chmod(os.path.join(keys, "signing.key"), 0o600)


if __name__ == "__main__":
    unittest.main()

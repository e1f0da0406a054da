"""Black-box tests of third-party verification: the QR page (HTML and JSON), the manual form, PDF checks, revocation, keys."""
import json
import os
import shutil
import subprocess
import tempfile
import threading
import unittest
import uuid

from harness import Service, engine, run_cli

ARTIFACTS = os.environ.get("ARAYIS_TEST_ARTIFACTS", os.path.join(tempfile.gettempdir(), "arayis-screenshots"))
PERSONAL = ["5ABC7D9", "1985-04-12", "+994501234567", "501234567", "ali@example.az"]


def multipart(field, filename, data):
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


class VerificationTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.svc = Service().start()
        cls.portal = cls.svc.create_key("egov", "portal")
        cls.admin = cls.svc.create_key("ops", "admin")
        cls.billing = cls.svc.create_key("billing", "billing")
        cls.tmp = tempfile.mkdtemp(prefix="arayis-verify-")

    @classmethod
    def tearDownClass(cls):
        cls.svc.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def issue(self, holder="Məmmədov Əli Şükür oğlu", code="1234567890", debt="0.00"):
        self.svc.json("PUT", f"/api/v1/billing/subscribers/{code}", {
            "subscriber_type": "residential", "owner_fin": "5ABC7D9", "holder_name": holder,
            "address": "Bakı", "debt_amount": debt, "as_of": "2026-11-25T09:00:00Z"}, key=self.billing)
        status, got = self.svc.json("POST", "/api/v1/applications", {
            "subscriber_type": "residential", "subscriber_code": code,
            "applicant": {"fin": "5ABC7D9", "last_name": "Məmmədov", "first_name": "Əli", "birth_date": "1985-04-12"},
            "contact": {"mobile": "+994501234567", "email": "ali@example.az"}}, key=self.portal)
        self.assertEqual(status, 201, got)
        return got["certificate"]

    def path_of(self, cert):
        return f'/v/{cert["number"]}?code={cert["verification_code"]}'

    def page(self, path, **kw):
        status, headers, data = self.svc.request("GET", path, **kw)
        return status, headers, data.decode("utf-8")

    def assert_no_personal_data(self, text):
        for value in PERSONAL:
            self.assertNotIn(value, text)

    def assert_security_headers(self, headers):
        self.assertIn("default-src 'none'", headers["content-security-policy"])
        self.assertNotIn("script-src", headers["content-security-policy"])
        self.assertEqual(headers["x-content-type-options"], "nosniff")
        self.assertEqual(headers["referrer-policy"], "no-referrer")
        self.assertEqual(headers["cache-control"], "no-store")
        self.assertEqual(headers["x-frame-options"], "DENY")

    def test_valid_in_html_and_json(self):
        cert = self.issue()
        status, headers, html = self.page(self.path_of(cert))
        self.assertEqual(status, 200)
        self.assert_security_headers(headers)
        self.assertIn('data-status="valid"', html)
        self.assertIn("Etibarlıdır", html)
        for fact in (cert["number"], "Məmmədov Əli Şükür oğlu", "1234567890", "Əhali abonenti", cert["sha256"], "borcu yoxdur"):
            self.assertIn(fact, html)
        self.assert_no_personal_data(html)
        status, headers, html_en = self.page(self.path_of(cert) + "&lang=en")
        self.assertIn("Valid", html_en)
        self.assertIn('lang="en"', html_en)
        status, body = self.svc.json("GET", self.path_of(cert), headers={"Accept": "application/json"})
        self.assertEqual(status, 200)
        self.assertEqual(body["status"], "valid")
        self.assertEqual(body["holder"], "Məmmədov Əli Şükür oğlu")
        self.assertEqual(body["sha256"], cert["sha256"])
        self.assertEqual(body["debt"], {"has_debt": False, "amount": "0.00", "currency": "AZN", "as_of": "2026-11-25T09:00:00Z"})
        self.assertIsNone(body["revoked_at"])
        self.assert_no_personal_data(json.dumps(body, ensure_ascii=False))

    def test_not_found_is_the_same_for_unknown_number_and_wrong_code(self):
        cert = self.issue()
        code = cert["verification_code"]
        wrong = ("1" if code[0] != "1" else "2") + code[1:]
        answers = []
        for path in (f'/v/{cert["number"]}?code={wrong}', f"/v/AZI-2026-999999?code={code}", f'/v/{cert["number"]}',
                     f'/v/{cert["number"]}?code=%27%20OR%201=1--', "/v/AZI-2026-000001'--?code=x"):
            status, _, html = self.page(path)
            answers.append((status, html))
            status_j, _, data_j = self.svc.request("GET", path, headers={"Accept": "application/json"})
            answers.append((status_j, data_j))
        self.assertTrue(all(a == answers[0] for a in answers[0::2]))
        self.assertTrue(all(a == answers[1] for a in answers[1::2]))
        self.assertEqual(answers[0][0], 404)
        self.assertIn("Tapılmadı", answers[0][1])
        self.assertEqual(json.loads(answers[1][1]), {"status": "not_found"})
        status, _, _ = self.page("/v/..%2F..%2Fetc%2Fpasswd?code=x")
        self.assertEqual(status, 404)

    def test_revoked_and_history(self):
        cert = self.issue()
        path = f'/api/v1/certificates/{cert["number"]}/revoke'
        self.assertEqual(self.svc.json("POST", path, {"reason": "x"}, key=self.portal)[0], 403)
        status, body = self.svc.json("POST", path, {"reason": ""}, key=self.admin)
        self.assertEqual((status, body["error"]["code"]), (400, "validation_failed"))
        status, body = self.svc.json("POST", path, {"reason": "Səhv məlumat əsasında verilib"}, key=self.admin)
        self.assertEqual((status, body["status"]), (200, "revoked"))
        first_revoked_at = body["revoked_at"]
        status, again = self.svc.json("POST", path, {"reason": "another"}, key=self.admin)
        self.assertEqual((status, again["revoked_at"], again["revocation_reason"]),
                         (200, first_revoked_at, "Səhv məlumat əsasında verilib"))
        status, _, html = self.page(self.path_of(cert))
        self.assertIn('data-status="revoked"', html)
        self.assertIn("Ləğv edilib", html)
        self.assertIn("Səhv məlumat əsasında verilib", html)
        status, body = self.svc.json("GET", self.path_of(cert), headers={"Accept": "application/json"})
        self.assertEqual((body["status"], body["revocation_reason"]), ("revoked", "Səhv məlumat əsasında verilib"))
        status, app = self.svc.json("GET", f'/api/v1/applications/{cert["application_id"]}', key=self.portal)
        steps = [h["status"] for h in app["history"]]  # the SMS may be recorded before or after the revocation
        self.assertIn("revoked", steps)
        self.assertGreater(steps.index("revoked"), steps.index("issued"))
        rows = self.svc.sql("SELECT actor, action, target FROM audit_log WHERE action = 'certificate.revoke'")
        self.assertIn(("ops", "certificate.revoke", cert["number"]), rows)
        self.assertEqual(self.svc.json("POST", "/api/v1/certificates/AZI-2026-999999/revoke", {"reason": "x"},
                                       key=self.admin)[0], 404)

    def metric(self, name):
        status, _, data = self.svc.request("GET", "/metrics")
        self.assertEqual(status, 200)
        lines = [line for line in data.decode().splitlines() if line.startswith(name + " ")]
        self.assertEqual(len(lines), 1, name)
        return int(lines[0].split()[1])

    def test_concurrent_checks_each_get_their_own_answer(self):
        certs = [self.issue(code=f"55{i:05d}") for i in range(8)]
        revoked = certs[:2]
        for cert in revoked:
            status, _ = self.svc.json("POST", f'/api/v1/certificates/{cert["number"]}/revoke',
                                      {"reason": "Səhv məlumat"}, key=self.admin)
            self.assertEqual(status, 200)
        logged = {c["number"]: self.svc.json("GET", self.path_of(c), headers={"Accept": "application/json"})[1]
                  for c in certs}
        code = certs[0]["verification_code"]
        wrong = ("1" if code[0] != "1" else "2") + code[1:]
        # (path, the answer's status, its number, its verdict): every certificate, a wrong code, unknown and
        # malformed numbers, a number that sorts between two issued ones
        cases = [(self.path_of(c), 200, c["number"], "revoked" if c in revoked else "valid") for c in certs]
        cases += [(f'/v/{certs[0]["number"]}?code={wrong}', 404, None, "not_found"),
                  (f"/v/AZI-2026-999999?code={code}", 404, None, "not_found"),
                  (f"/v/AZI-1999-000001?code={code}", 404, None, "not_found"),
                  (f'/v/{certs[3]["number"]}0?code={code}', 404, None, "not_found"),
                  (f"/v/azi-2026-000001?code={code}", 404, None, "not_found"),
                  (f"/v/AZI-2026-000001%27--?code={code}", 404, None, "not_found")]
        reads, checks = self.metric("arayis_code_check_reads_total"), self.metric("arayis_code_checks_read_total")
        wrong_answers, lock = [], threading.Lock()

        def check_many(offset):
            for i in range(60):
                path, status, number, verdict = cases[(offset + i) % len(cases)]
                got, _, data = self.svc.request("GET", path, headers={"Accept": "application/json"})
                body = json.loads(data)
                right = (got == status and body["status"] == verdict and body.get("number") == number and
                         (number is None or body["log_index"] == logged[number]["log_index"]))
                if not right:
                    with lock:
                        wrong_answers.append((path, got, body))

        threads = [threading.Thread(target=check_many, args=(t,)) for t in range(24)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(wrong_answers, [])
        reads = self.metric("arayis_code_check_reads_total") - reads
        checks = self.metric("arayis_code_checks_read_total") - checks
        self.assertEqual(checks, 24 * 60)
        if engine() == "postgresql":
            self.assertLess(reads, checks)  # checks that waited together were read in one statement
        else:
            self.assertEqual(reads, checks)  # in process, each check reads alone

    def test_expired(self):
        cert = self.issue()
        self.svc.sql_exec("UPDATE certificates SET valid_until = issued_at - 1 WHERE number = ?", (cert["number"],))
        status, body = self.svc.json("GET", self.path_of(cert), headers={"Accept": "application/json"})
        self.assertEqual((status, body["status"]), (200, "expired"))
        status, _, html = self.page(self.path_of(cert))
        self.assertIn("Müddəti bitib", html)

    def test_hostile_names_are_escaped(self):
        hostile = "<script>alert(1)</script> \"Qəşəm\" 'Ağa' &amp;"
        self.svc.json("PUT", "/api/v1/billing/subscribers/7777777", {
            "subscriber_type": "residential", "owner_fin": "5ABC7D9", "holder_name": hostile, "address": "<b>x</b>",
            "debt_amount": "1.00", "as_of": "2026-11-25T09:00:00Z"}, key=self.billing)
        cert = self.issue(holder=hostile, code="7777777", debt="1.00")
        status, _, html = self.page(self.path_of(cert))
        self.assertNotIn("<script>", html)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt; &quot;Qəşəm&quot; &#39;Ağa&#39; &amp;amp;", html)
        rtl = "Əli\u202eevil"
        status, body = self.svc.json("PUT", "/api/v1/billing/subscribers/7777778", {
            "subscriber_type": "residential", "owner_fin": "5ABC7D9", "holder_name": rtl,
            "debt_amount": "1.00", "as_of": "2026-11-25T09:00:00Z"}, key=self.billing)
        self.assertEqual(status, 400)

    def test_manual_form_round_trip(self):
        cert = self.issue()
        status, headers, html = self.page("/v")
        self.assertEqual(status, 200)
        self.assertIn('action="/v"', html)
        self.assertIn('name="number"', html)
        grouped = "-".join(cert["verification_code"][i:i + 4] for i in range(0, 16, 4)).lower()
        status, headers, _ = self.page(f'/v?number={cert["number"].lower()}&code={grouped}')
        self.assertEqual(status, 303)
        self.assertEqual(headers["location"], self.path_of(cert))
        status, _, html = self.page(headers["location"])
        self.assertIn('data-status="valid"', html)
        status, _, html = self.page("/v?number=AZI-2026-000001&code=%0d%0aSet-Cookie:x")
        self.assertEqual(status, 404)

    def download(self, cert):
        status, _, data = self.svc.request("GET", f'/c/{cert["number"]}.pdf?code={cert["verification_code"]}')
        self.assertEqual(status, 200)
        return data

    def check_pdf(self, data, content_type="application/pdf"):
        status, headers, body = self.svc.request("POST", "/api/v1/verify/pdf", data, content_type=content_type)
        return status, json.loads(body)

    def test_pdf_check(self):
        cert = self.issue()
        pdf = self.download(cert)
        status, body = self.check_pdf(pdf)
        self.assertEqual(status, 200)
        self.assertEqual((body["signature_valid"], body["registered"], body["number"], body["status"]),
                         (True, True, cert["number"], "valid"))
        self.assertIn("CN=", body["signed_by"])
        flipped = bytearray(pdf)
        flipped[300] ^= 0x01
        status, body = self.check_pdf(bytes(flipped))
        self.assertEqual((status, body["signature_valid"], body["registered"]), (200, False, False))
        status, body = self.check_pdf(b"%PDF-1.4 not really\n")
        self.assertEqual((status, body["error"]["code"]), (400, "invalid_pdf"))
        status, body = self.check_pdf(b"hello world")
        self.assertEqual((status, body["error"]["code"]), (400, "invalid_pdf"))
        status, body = self.check_pdf(pdf[: len(pdf) // 2])
        self.assertEqual((status, body["error"]["code"]), (400, "invalid_pdf"))
        status, body = self.check_pdf(pdf, content_type="application/json")
        self.assertEqual(status, 415)
        status, data = self.svc.request_declaring("POST", "/api/v1/verify/pdf", 10 * 1024 * 1024 + 1,
                                                  content_type="application/pdf")
        self.assertEqual((status, json.loads(data)["error"]["code"]), (413, "payload_too_large"))
        self.assertEqual(self.svc.json("GET", "/healthz")[0], 200)

    def test_pdf_from_another_signer(self):
        other_keys = os.path.join(self.tmp, "other")
        out = os.path.join(self.tmp, "other.pdf")
        run_cli(["render", "--sample", out], dict(self.svc.env, ARAYIS_KEYS_DIR=other_keys))
        status, body = self.check_pdf(open(out, "rb").read())
        self.assertEqual((status, body["signature_valid"], body["registered"]), (200, False, False))

    def test_upload_form(self):
        cert = self.issue()
        body, ctype = multipart("pdf", "arayis.pdf", self.download(cert))
        status, headers, data = self.svc.request("POST", "/v/pdf", body, content_type=ctype)
        html = data.decode()
        self.assertEqual(status, 200)
        self.assertIn('data-status="valid"', html)
        self.assertIn("Etibarlıdır", html)
        self.assertIn(cert["number"], html)
        body, ctype = multipart("pdf", "x.pdf", b"not a pdf")
        status, headers, data = self.svc.request("POST", "/v/pdf?lang=en", body, content_type=ctype)
        self.assertEqual(status, 400)
        self.assertIn("not a PDF", data.decode())

    def test_public_keys(self):
        status, body = self.svc.json("GET", "/api/v1/keys")
        self.assertEqual(status, 200)
        current = [k for k in body["keys"] if k["current"]]
        self.assertEqual(len(current), 1)
        self.assertTrue(current[0]["pem"].startswith("-----BEGIN CERTIFICATE-----"))
        self.assertRegex(current[0]["sha256"], r"^[0-9a-f]{64}$")
        der = subprocess.run(["openssl", "x509", "-outform", "DER"], input=current[0]["pem"].encode(),
                             capture_output=True).stdout
        import hashlib
        self.assertEqual(hashlib.sha256(der).hexdigest(), current[0]["sha256"])

    @unittest.skipUnless(shutil.which("chromium"), "chromium is not installed")
    def test_real_browser_renders_each_verdict(self):
        os.makedirs(ARTIFACTS, exist_ok=True)
        valid = self.issue()
        revoked = self.issue()
        self.svc.json("POST", f'/api/v1/certificates/{revoked["number"]}/revoke', {"reason": "Test"}, key=self.admin)
        expired = self.issue()
        self.svc.sql_exec("UPDATE certificates SET valid_until = issued_at - 1 WHERE number = ?", (expired["number"],))
        pages = {"valid": self.path_of(valid), "revoked": self.path_of(revoked), "expired": self.path_of(expired),
                 "not_found": "/v/AZI-2026-999999?code=0000000000000000"}
        for verdict, path in pages.items():
            url = f"http://127.0.0.1:{self.svc.port}{path}"
            profile = tempfile.mkdtemp(prefix="arayis-chromium-")
            flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     f"--user-data-dir={profile}", "--window-size=360,800"]
            dom = subprocess.run(["chromium", *flags, "--dump-dom", url], capture_output=True, timeout=120).stdout.decode()
            self.assertIn(f'data-status="{verdict}"', dom, verdict)
            shot = os.path.join(ARTIFACTS, f"verify-{verdict}.png")
            subprocess.run(["chromium", *flags, f"--screenshot={shot}", url], capture_output=True, timeout=120)
            self.assertGreater(os.path.getsize(shot), 1000)
            shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()

"""Black-box tests of long and unusual holder texts and of certificates whose document cannot be made: full text on
the PDF and the verification page, refusal of characters the fonts lack, void numbers, failed applications, restarts."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import pdfcheck
from harness import ARAYIS_BIN, Service

BASE_URL = "https://arayis.example.az"
AS_OF = "2026-11-25T09:00:00Z"
FIN = "5ABC7D9"
# 100 “ and 100 № (600 bytes): both are in the certificate fonts, so the record is valid and must print whole.
QUOTES_AND_NUMEROS = "“" * 100 + "№" * 100
# 200 characters, 540 bytes of UTF-8, every one printable.
LONG_HOLDER = "Ş" * 28 + " " + "“" * 71 + " " + "№" * 71 + "ə" * 28
# Cyrillic Ж is in no certificate font.
UNPRINTABLE = "Жуков Иван"


def applicant_body(code, reference=None):
    body = {
        "subscriber_type": "residential",
        "subscriber_code": code,
        "applicant": {"fin": FIN, "last_name": "Məmmədov", "first_name": "Əli", "birth_date": "1985-04-12"},
        "contact": {"mobile": "050 123 45 67"},
    }
    if reference:
        body["portal_reference"] = reference
    return body


def sequence(number):
    return int(number.rsplit("-", 1)[1])


def squeeze(text):
    """The text without any white space (the PDF wraps long values over several lines)."""
    return "".join(text.split())


class RenderFailureCase(unittest.TestCase):
    """One service per test class, with keys and the demo billing data."""

    @classmethod
    def setUpClass(cls):
        cls.svc = Service({"ARAYIS_PUBLIC_BASE_URL": BASE_URL}).start()
        cls.portal = cls.svc.create_key("egov", "portal")
        cls.billing = cls.svc.create_key("billing", "billing")
        cls.svc.cli("billing", "import", os.path.join(os.environ["ARAYIS_SHARE_DIR"], "demo", "billing.csv"))
        cls.tmp = tempfile.mkdtemp(prefix="arayis-render-")

    @classmethod
    def tearDownClass(cls):
        cls.svc.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def put_subscriber(self, code, holder):
        return self.svc.json("PUT", f"/api/v1/billing/subscribers/{code}", {
            "subscriber_type": "residential", "owner_fin": FIN, "holder_name": holder,
            "address": "Bakı şəhəri", "debt_amount": "0.00", "as_of": AS_OF}, key=self.billing)

    def insert_subscriber(self, code, holder):
        """Writes a billing record straight into the database, around the validation (as an old database may hold)."""
        self.svc.sql_exec("INSERT INTO subscribers(code, subscriber_type, owner_fin, holder_name, debt_qepik, as_of,"
                          " updated_at) VALUES (?, 'residential', ?, ?, 0, 1764061200, 1764061200)", (code, FIN, holder))

    def submit(self, body):
        status, headers, data = self.svc.request("POST", "/api/v1/applications", body, key=self.portal)
        return status, headers, json.loads(data.decode("utf-8"))

    def issue_demo(self):
        status, _, got = self.submit(applicant_body("1234567890"))
        self.assertEqual(status, 201, got)
        return got["certificate"]["number"]

    def local(self, url):
        self.assertTrue(url.startswith(BASE_URL), url)
        return url[len(BASE_URL):]

    def pdf_text(self, cert):
        status, _, pdf = self.svc.request("GET", self.local(cert["pdf_url"]))
        self.assertEqual(status, 200)
        path = os.path.join(self.tmp, cert["number"] + ".pdf")
        with open(path, "wb") as f:
            f.write(pdf)
        self.assertTrue(pdfcheck.signature_valid(path))
        return pdfcheck.text(path)

    def verified_holder(self, cert):
        status, got = self.svc.json("GET", self.local(cert["verify_url"]), headers={"Accept": "application/json"})
        self.assertEqual(status, 200, got)
        self.assertEqual(got["status"], "valid")
        return got["holder"]

    def void_list(self):
        return self.svc.cli("certificates", "failed").stdout

    def void_metric(self):
        status, _, data = self.svc.request("GET", "/metrics")
        self.assertEqual(status, 200)
        m = re.search(r"^arayis_certificates_void_total (\d+)$", data.decode(), re.M)
        self.assertIsNotNone(m, "no arayis_certificates_void_total")
        return int(m.group(1))

    def issue_whole(self, code, holder):
        status, _, got = self.submit(applicant_body(code))
        self.assertEqual(status, 201, got)
        cert = got["certificate"]
        self.assertIn(squeeze(holder), squeeze(self.pdf_text(cert)))
        self.assertEqual(self.verified_holder(cert), holder)


class LongHoldersTest(RenderFailureCase):
    def test_quotes_and_numero_signs_print_whole_and_unprintable_text_is_refused(self):
        status, got = self.put_subscriber("3100000001", QUOTES_AND_NUMEROS)
        self.assertEqual(status, 201, got)
        self.issue_whole("3100000001", QUOTES_AND_NUMEROS)
        # a character no certificate font has is refused where the billing data comes in, naming the field
        status, got = self.put_subscriber("3100000003", UNPRINTABLE)
        self.assertEqual(status, 400, got)
        self.assertEqual(got["error"]["code"], "validation_failed")
        self.assertEqual([f["field"] for f in got["error"]["fields"]], ["holder_name"])
        path = os.path.join(self.tmp, "cyrillic.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write("subscriber_code,subscriber_type,owner_fin,owner_voen,holder_name,address,debt_amount,as_of\n"
                    f"3100000004,residential,{FIN},,Əliyev Vüqar,Кировабад,0.00,{AS_OF}\n")
        out = self.svc.cli("billing", "import", path, check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("line 2: address", out.stderr)

    def test_540_byte_holder_prints_whole(self):
        self.assertEqual((len(LONG_HOLDER), len(LONG_HOLDER.encode())), (200, 540))
        status, got = self.put_subscriber("3100000002", LONG_HOLDER)
        self.assertEqual(status, 201, got)
        self.issue_whole("3100000002", LONG_HOLDER)


class FontCoverageTest(unittest.TestCase):
    def test_fonts_lacking_an_accepted_character_are_refused_at_start(self):
        """Validation accepts the rest of Latin-1 and Latin Extended-A/B (¡ …), which only the extension subsets have;
        a template whose regular face has only the core subset could not print them, so the service refuses to
        start rather than fail on a record."""
        share = tempfile.mkdtemp(prefix="arayis-share-")
        svc = Service({"ARAYIS_SHARE_DIR": share})
        try:
            for sub in ("templates", "fonts"):
                shutil.copytree(os.path.join(os.environ["ARAYIS_SHARE_DIR"], sub), os.path.join(share, sub))
            template = os.path.join(share, "templates", "certificate.json")
            with open(template, encoding="utf-8") as f:
                text = f.read()
            core_only = text.replace('"fonts/DejaVuSans-arayis.ttf", "fonts/DejaVuSans-arayis-ext.ttf"',
                                     '"fonts/DejaVuSans-arayis.ttf"')
            self.assertNotEqual(core_only, text)
            with open(template, "w", encoding="utf-8") as f:
                f.write(core_only)
            try:
                proc = subprocess.run([ARAYIS_BIN, "serve"], env=svc.env, capture_output=True, timeout=20)
            except subprocess.TimeoutExpired:
                self.fail("the service started with fonts that cannot print every accepted character")
            self.assertEqual(proc.returncode, 1)
            failed = [json.loads(line) for line in proc.stderr.decode().splitlines() if '"start_failed"' in line]
            self.assertEqual(len(failed), 1, proc.stderr)
            self.assertIn("the certificate fonts lack U+", failed[0]["msg"])
        finally:
            svc.close()
            shutil.rmtree(share, ignore_errors=True)


class RenderFailureTest(RenderFailureCase):
    def test_unrenderable_record_voids_its_number_and_nothing_else(self):
        before = sequence(self.issue_demo())
        self.insert_subscriber("3200000001", UNPRINTABLE)

        status, headers, got = self.submit(applicant_body("3200000001", "EGOV-VOID-1"))
        self.assertEqual(status, 500, got)
        self.assertEqual(got["error"]["code"], "internal")
        self.assertIn(headers["x-request-id"], got["error"]["message"])
        app_id = re.search(r"application (\w+)", got["error"]["message"]).group(1)

        # the number it took is void, listed with its reason, and counted
        listed = [line.split() for line in self.void_list().splitlines() if line.startswith("AZI-")]
        self.assertEqual(len(listed), 1, listed)
        void_number = listed[0][0]
        self.assertEqual(sequence(void_number), before + 1)
        self.assertEqual(listed[0][1], app_id)
        self.assertIn("U+0416", self.void_list())
        self.assertNotIn("Жуков", self.void_list())
        self.assertEqual(self.void_metric(), 1)

        # the application is failed, in its status and history, with no certificate
        status, view = self.svc.json("GET", f"/api/v1/applications/{app_id}", key=self.portal)
        self.assertEqual(status, 200, view)
        self.assertEqual(view["status"], "failed")
        self.assertEqual([h["status"] for h in view["history"]], ["received", "debt_checked", "failed"])
        self.assertNotIn("certificate", view)

        # a retry of the same portal_reference gets the same failure, not a new number
        status, _, again = self.submit(applicant_body("3200000001", "EGOV-VOID-1"))
        self.assertEqual(status, 500, again)
        self.assertIn(app_id, again["error"]["message"])
        self.assertEqual(self.void_list().count("AZI-"), 1)
        self.assertEqual(self.void_metric(), 1)

        # the next certificate takes the next number: no gap, no reuse
        self.assertEqual(sequence(self.issue_demo()), before + 2)

        # and the service starts again
        self.assertEqual(self.svc.stop(), 0)
        self.svc.start()
        self.assertEqual(sequence(self.issue_demo()), before + 3)
        self.assertEqual(self.void_list().count("AZI-"), 1)

    def test_record_longer_than_validation_allows_fails_without_a_number(self):
        before = sequence(self.issue_demo())
        self.insert_subscriber("3200000002", "ə" * 500)  # 1000 bytes: over the 200-character maximum
        voids = self.void_list().count("AZI-")
        status, headers, got = self.submit(applicant_body("3200000002", "EGOV-LONG-1"))
        self.assertEqual(status, 500, got)
        self.assertEqual(got["error"]["code"], "internal")
        self.assertIn(headers["x-request-id"], got["error"]["message"])
        app_id = re.search(r"application (\w+)", got["error"]["message"]).group(1)
        status, view = self.svc.json("GET", f"/api/v1/applications/{app_id}", key=self.portal)
        self.assertEqual(view["status"], "failed")
        self.assertEqual(self.void_list().count("AZI-"), voids)
        self.assertEqual(sequence(self.issue_demo()), before + 1)


class ResumeTest(unittest.TestCase):
    """A database holding a numbered, unrendered certificate that can never be rendered (as an interrupted issue of
    an old version may leave): the service starts, voids it, and goes on issuing."""

    def test_start_voids_what_cannot_be_rendered(self):
        svc = Service()
        try:
            svc.start()
            portal = svc.create_key("egov", "portal")
            svc.cli("billing", "import", os.path.join(os.environ["ARAYIS_SHARE_DIR"], "demo", "billing.csv"))
            status, first = svc.json("POST", "/api/v1/applications", applicant_body("1234567890"), key=portal)
            self.assertEqual(status, 201, first)
            number = first["certificate"]["number"]
            self.assertEqual(svc.stop(), 0)

            year, seq = number.split("-")[1], sequence(number)
            pending = f"AZI-{year}-{seq + 1:06d}"
            svc.sql_exec("INSERT INTO applications(id, api_key_id, request_sha256, subscriber_type, subscriber_code,"
                         " applicant_fin, applicant_name, birth_date, mobile, status, debt_qepik, debt_as_of,"
                         " submitted_at) SELECT 'PENDING1', api_key_id, 'r', subscriber_type, subscriber_code,"
                         " applicant_fin, applicant_name, birth_date, mobile, 'debt_checked', debt_qepik, debt_as_of,"
                         " submitted_at FROM applications WHERE id = ?", (first["application_id"],))
            svc.sql_exec("INSERT INTO certificates(number, application_id, code, issued_at, valid_until,"
                         " subscriber_type, subscriber_code, holder, debt_qepik, debt_as_of, sha256)"
                         " SELECT ?, 'PENDING1', code, issued_at, valid_until, subscriber_type, subscriber_code,"
                         " ?, debt_qepik, debt_as_of, '' FROM certificates WHERE number = ?",
                         (pending, UNPRINTABLE, number))
            svc.sql_exec("UPDATE certificate_counters SET last_seq = last_seq + 1 WHERE year = ?", (int(year),))

            svc.start()
            listed = svc.cli("certificates", "failed").stdout
            self.assertIn(pending, listed)
            self.assertIn("U+0416", listed)
            status, _, data = svc.request("GET", "/metrics")
            self.assertIn("arayis_certificates_void_total 1\n", data.decode())
            status, view = svc.json("GET", "/api/v1/applications/PENDING1", key=portal)
            self.assertEqual(view["status"], "failed")
            self.assertEqual(view["history"][-1]["status"], "failed")
            status, after = svc.json("POST", "/api/v1/applications", applicant_body("1234567890"), key=portal)
            self.assertEqual(status, 201, after)
            self.assertEqual(sequence(after["certificate"]["number"]), seq + 2)
            self.assertEqual(svc.stop(), 0)
            svc.start()  # and again, with nothing left to resume
            self.assertEqual(svc.cli("certificates", "failed").stdout.count("AZI-"), 1)
        finally:
            svc.close()


if __name__ == "__main__":
    unittest.main()

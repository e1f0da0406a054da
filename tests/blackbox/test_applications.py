"""Black-box tests of applications: intake, validation, debt check, issuing, download, status, idempotency, ownership."""
import copy
import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
import unittest

import pdfcheck
from harness import Service, engine, wait_until

BASE_URL = "https://arayis.example.az"

RESIDENTIAL = {
    "portal_reference": None,
    "subscriber_type": "residential",
    "subscriber_code": "1234567890",
    "applicant": {
        "fin": "5abc7d9", "last_name": "Məmmədov", "first_name": "Əli", "patronymic": "Şükür oğlu",
        "birth_date": "1985-04-12", "id_document": "AZE12345678",
        "address": "Bakı şəhəri, Nəsimi rayonu, Azadlıq pr. 12, m. 5",
    },
    "contact": {"mobile": "050 123 45 67", "email": "ali@example.az"},
}
NON_RESIDENTIAL = {
    "subscriber_type": "non_residential",
    "subscriber_code": "2234567891",
    "applicant": {"fin": "7XYZ2K4", "last_name": "Hüseynova", "first_name": "Gülnarə", "birth_date": "1979-02-28"},
    "organization": {"voen": "9876543211", "name": "“Çıraq Işıq” ASC"},
    "contact": {"mobile": "+994 55 765 43 21"},
}


def application(template, reference=None, **changes):
    body = copy.deepcopy(template)
    body["portal_reference"] = reference
    if reference is None:
        del body["portal_reference"]
    for path, value in changes.items():
        node = body
        keys = path.split(".")
        for k in keys[:-1]:
            node = node.setdefault(k, {})
        if value is KeyError:
            node.pop(keys[-1], None)
        else:
            node[keys[-1]] = value
    return body


class ApplicationsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.svc = Service({"ARAYIS_PUBLIC_BASE_URL": BASE_URL}).start()
        cls.portal = cls.svc.create_key("egov", "portal")
        cls.other_portal = cls.svc.create_key("azerishiq-site", "portal")
        cls.billing = cls.svc.create_key("billing", "billing")
        cls.admin = cls.svc.create_key("admin", "admin")
        cls.svc.cli("billing", "import", os.path.join(os.environ["ARAYIS_SHARE_DIR"], "demo", "billing.csv"))
        cls.tmp = tempfile.mkdtemp(prefix="arayis-pdf-")

    @classmethod
    def tearDownClass(cls):
        cls.svc.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def submit(self, body, key=None):
        return self.svc.json("POST", "/api/v1/applications", body, key=key or self.portal)

    def local_path(self, url):
        self.assertTrue(url.startswith(BASE_URL), url)
        return url[len(BASE_URL):]

    def download(self, cert):
        status, headers, data = self.svc.request("GET", self.local_path(cert["pdf_url"]))
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"], "application/pdf")
        self.assertIn(f'arayis-{cert["number"]}.pdf', headers["content-disposition"])
        self.assertEqual(headers["cache-control"], "private, no-store")
        self.assertEqual(headers["referrer-policy"], "no-referrer")
        return data

    def check_issued_end_to_end(self, body, expect_debt, expect_texts):
        status, got = self.submit(body)
        self.assertEqual(status, 201, got)
        self.assertEqual(got["status"], "issued")
        # the answer is the application as the commit left it, before its SMS went out
        self.assertEqual([h["status"] for h in got["history"]], ["received", "debt_checked", "issued"])
        self.assertEqual(got["history"][0]["at"], got["submitted_at"])
        self.assertEqual(got["debt"]["amount"], expect_debt)
        self.assertEqual(got["debt"]["has_debt"], expect_debt != "0.00")
        self.assertEqual(got["debt"]["as_of"], "2026-11-25T09:00:00Z")
        cert = got["certificate"]
        self.assertRegex(cert["number"], r"^AZI-\d{4}-\d{6}$")
        self.assertRegex(cert["verification_code"], r"^[0-9A-HJKMNP-TV-Z]{16}$")
        self.assertEqual(cert["verify_url"], f'{BASE_URL}/v/{cert["number"]}?code={cert["verification_code"]}')
        pdf = self.download(cert)
        self.assertEqual(hashlib.sha256(pdf).hexdigest(), cert["sha256"])
        path = os.path.join(self.tmp, cert["number"] + ".pdf")
        with open(path, "wb") as f:
            f.write(pdf)
        self.assertTrue(pdfcheck.signature_valid(path))
        text = pdfcheck.text(path)
        for expected in expect_texts + [cert["number"]]:
            self.assertIn(expected, text)
        self.assertEqual(pdfcheck.qr_payload(path), cert["verify_url"])
        self.assertEqual(self.download(cert), pdf)
        return got

    def test_residential_without_debt(self):
        got = self.check_issued_end_to_end(application(RESIDENTIAL), "0.00",
                                           ["Məmmədov Əli Şükür oğlu", "borcu yoxdur", "Əhali abonenti"])
        mobile = self.svc.sql("SELECT mobile FROM applications WHERE id = ?", (got["application_id"],))[0][0]
        self.assertEqual(mobile, "+994501234567")

    def test_residential_with_debt(self):
        body = application(RESIDENTIAL, subscriber_code="1234567891", **{"applicant.fin": "7XYZ2K4"})
        self.check_issued_end_to_end(body, "1234.56", ["1 234,56 AZN", "borcu var"])

    def test_non_residential_with_debt(self):
        self.check_issued_end_to_end(application(NON_RESIDENTIAL), "87.40",
                                     ["“Çıraq Işıq” ASC", "9876543211", "87,40 AZN", "Qeyri-əhali abonenti"])

    def test_non_residential_without_debt(self):
        body = application(NON_RESIDENTIAL, subscriber_code="2234567890",
                           **{"organization.voen": "1234567891", "organization.name": "“Günəş” MMC"})
        self.check_issued_end_to_end(body, "0.00", ["“Günəş” MMC", "borcu yoxdur"])

    def test_status_and_ownership(self):
        status, got = self.submit(application(RESIDENTIAL))
        self.assertEqual(status, 201)
        path = f'/api/v1/applications/{got["application_id"]}'
        status, again = self.svc.json("GET", path, key=self.portal)
        self.assertEqual(status, 200)
        # the stored application reads back as the issue answered it; only the SMS may have happened since
        self.assertEqual({k: v for k, v in again.items() if k != "history"},
                         {k: v for k, v in got.items() if k != "history"})
        self.assertEqual(again["history"][:3], got["history"])
        self.assertTrue(set(h["status"] for h in again["history"][3:]) <= {"sms_sent"})
        status, body = self.svc.json("GET", path, key=self.other_portal)
        self.assertEqual((status, body["error"]["code"]), (404, "not_found"))
        status, body = self.svc.json("GET", path, key=self.billing)
        self.assertEqual((status, body["error"]["code"]), (403, "forbidden"))
        status, body = self.svc.json("GET", path)
        self.assertEqual((status, body["error"]["code"]), (401, "unauthorized"))
        status, body = self.svc.json("GET", "/api/v1/applications/NOSUCHID", key=self.portal)
        self.assertEqual((status, body["error"]["code"]), (404, "not_found"))
        number = got["certificate"]["number"]
        status, meta = self.svc.json("GET", f"/api/v1/certificates/{number}", key=self.portal)
        self.assertEqual((status, meta["status"], meta["application_id"]), (200, "valid", got["application_id"]))
        self.assertEqual(self.svc.json("GET", f"/api/v1/certificates/{number}", key=self.admin)[0], 200)
        self.assertEqual(self.svc.json("GET", f"/api/v1/certificates/{number}", key=self.other_portal)[0], 404)
        self.assertEqual(self.svc.json("GET", "/api/v1/certificates/AZI-2026-999999", key=self.admin)[0], 404)

    def test_download_with_wrong_code_or_number_is_the_same_404(self):
        status, got = self.submit(application(RESIDENTIAL))
        cert = got["certificate"]
        code = cert["verification_code"]
        wrong = ("0" if code[0] != "0" else "1") + code[1:]
        answers = []
        for path in (f'/c/{cert["number"]}.pdf?code={wrong}', f"/c/AZI-2026-999999.pdf?code={code}",
                     f'/c/{cert["number"]}.pdf', f'/c/{cert["number"]}.pdf?code=x%27%20OR%201=1--'):
            status, headers, data = self.svc.request("GET", path)
            answers.append((status, data))
        self.assertEqual(answers[0][0], 404)
        self.assertTrue(all(a == answers[0] for a in answers), answers)
        grouped = "-".join(code[i:i + 4] for i in range(0, 16, 4)).lower()
        status, _, _ = self.svc.request("GET", f'/c/{cert["number"]}.pdf?code={grouped}')
        self.assertEqual(status, 200)

    def test_idempotent_replay_and_conflict(self):
        body = application(RESIDENTIAL, reference="EGOV-2026-000123")
        status, first = self.submit(body)
        self.assertEqual(status, 201)
        status, replay = self.submit(body)
        self.assertEqual(status, 200)
        self.assertEqual(replay["application_id"], first["application_id"])
        self.assertEqual(replay["certificate"], first["certificate"])
        status, other_key = self.submit(body, key=self.other_portal)
        self.assertEqual(status, 201)
        self.assertNotEqual(other_key["application_id"], first["application_id"])
        changed = application(RESIDENTIAL, reference="EGOV-2026-000123", **{"contact.email": "other@example.az"})
        status, conflict = self.submit(changed)
        self.assertEqual((status, conflict["error"]["code"]), (409, "idempotency_conflict"))

    def test_unknown_subscriber_and_mismatches_are_rejected_and_recorded(self):
        cases = [
            (application(RESIDENTIAL, subscriber_code="99999999"), "subscriber_not_found"),
            (application(RESIDENTIAL, **{"applicant.fin": "1AAAAAA"}), "subscriber_mismatch"),
            (application(RESIDENTIAL, subscriber_type="non_residential",
                         organization={"voen": "1234567891", "name": "X MMC"}), "subscriber_mismatch"),
            (application(NON_RESIDENTIAL, **{"organization.voen": "1111111111"}), "subscriber_mismatch"),
        ]
        for body, code in cases:
            with self.subTest(code=code):
                status, got = self.submit(body)
                self.assertEqual((status, got["error"]["code"]), (422, code))
        rows = self.svc.sql("SELECT rejection_code FROM applications WHERE status = 'rejected'")
        self.assertGreaterEqual(len(rows), 4)

    def test_every_validation_rule_names_its_field(self):
        cases = {
            "subscriber_type": application(RESIDENTIAL, subscriber_type="household"),
            "subscriber_code": application(RESIDENTIAL, subscriber_code="12345"),
            "applicant.fin": application(RESIDENTIAL, **{"applicant.fin": "5ABC7D"}),
            "applicant.last_name": application(RESIDENTIAL, **{"applicant.last_name": "Məmmədov2"}),
            "applicant.first_name": application(RESIDENTIAL, **{"applicant.first_name": ""}),
            "applicant.patronymic": application(RESIDENTIAL, **{"applicant.patronymic": "x" * 101}),
            "applicant.birth_date": application(RESIDENTIAL, **{"applicant.birth_date": "2100-01-01"}),
            "applicant.address": application(RESIDENTIAL, **{"applicant.address": "ü" * 301}),
            "organization.voen": application(NON_RESIDENTIAL, **{"organization.voen": "12345"}),
            "organization": application(NON_RESIDENTIAL, organization=KeyError),
            "contact.mobile": application(RESIDENTIAL, **{"contact.mobile": "+994 12 345 67 89"}),
            "contact.email": application(RESIDENTIAL, **{"contact.email": "ali@"}),
        }
        for field, body in cases.items():
            with self.subTest(field=field):
                status, got = self.submit(body)
                self.assertEqual((status, got["error"]["code"]), (400, "validation_failed"), got)
                fields = [f["field"] for f in got["error"]["fields"]]
                self.assertTrue(any(f == field or f.startswith(field + ".") for f in fields), (field, fields))

    def test_feb_29_of_a_non_leap_year_is_not_a_date(self):
        status, got = self.submit(application(RESIDENTIAL, **{"applicant.birth_date": "1981-02-29"}))
        self.assertEqual(status, 400)
        self.assertEqual([f["field"] for f in got["error"]["fields"]], ["applicant.birth_date"])

    def test_several_bad_fields_are_all_listed(self):
        body = application(RESIDENTIAL, subscriber_code="12a", **{
            "applicant.fin": "!!", "contact.mobile": "12345", "applicant.birth_date": "1985-13-01"})
        status, got = self.submit(body)
        self.assertEqual(status, 400)
        fields = {f["field"] for f in got["error"]["fields"]}
        self.assertTrue({"subscriber_code", "applicant.fin", "contact.mobile", "applicant.birth_date"} <= fields)

    def test_wrong_types_and_missing_blocks(self):
        body = application(RESIDENTIAL, subscriber_code=1234567890, applicant="Məmmədov",
                           contact={"mobile": ["+994501234567"]})
        status, got = self.submit(body)
        self.assertEqual(status, 400)
        fields = {f["field"] for f in got["error"]["fields"]}
        self.assertTrue({"subscriber_code", "applicant", "contact.mobile"} <= fields, fields)

    def test_bad_bodies(self):
        cases = [
            (b"{", "application/json", 400, "invalid_json"),
            (b"[]", "application/json", 400, "invalid_json"),
            (b'{"subscriber_code": "\xc3\x28"}', "application/json", 400, "invalid_json"),
            (json.dumps(application(RESIDENTIAL)).encode(), "text/plain", 415, "unsupported_media_type"),
            (b'{"x":"' + b"a" * 200_000 + b'"}', "application/json", 413, "payload_too_large"),
        ]
        for raw, ctype, want_status, want_code in cases:
            with self.subTest(code=want_code):
                status, _, data = self.svc.request("POST", "/api/v1/applications", raw, key=self.portal,
                                                   content_type=ctype)
                self.assertEqual((status, json.loads(data)["error"]["code"]), (want_status, want_code))

    def test_control_characters_and_nfc(self):
        status, got = self.submit(application(RESIDENTIAL, **{"applicant.last_name": "Məmməd\u0000ov"}))
        self.assertEqual(status, 400)
        decomposed = "Me\u0301mmədov"  # e + combining acute: normalised, not rejected
        status, got = self.submit(application(RESIDENTIAL, **{"applicant.last_name": decomposed}))
        self.assertIn(status, (201, 422))

    def test_roles(self):
        body = application(RESIDENTIAL)
        self.assertEqual(self.submit(body, key=self.billing)[0], 403)
        self.assertEqual(self.submit(body, key=self.admin)[0], 403)
        self.assertEqual(self.svc.json("POST", "/api/v1/applications", body)[0], 401)

    def test_concurrent_submissions_get_consecutive_unique_numbers(self):
        results, lock = [], threading.Lock()

        def worker(n):
            for i in range(n):
                status, got = self.submit(application(RESIDENTIAL))
                with lock:
                    results.append((status, got))

        threads = [threading.Thread(target=worker, args=(20,)) for _ in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(len(results), 200)
        self.assertTrue(all(s == 201 for s, _ in results), [g for s, g in results if s != 201][:3])
        seqs = sorted(int(g["certificate"]["number"].rsplit("-", 1)[1]) for _, g in results)
        self.assertEqual(len(set(seqs)), 200)
        self.assertEqual(seqs[-1] - seqs[0], 199)
        numbers = [r[0] for r in self.svc.sql("SELECT number FROM certificates ORDER BY number")]
        all_seqs = [int(n.rsplit("-", 1)[1]) for n in numbers]
        self.assertEqual(all_seqs, list(range(1, len(all_seqs) + 1)))


class CrashTest(unittest.TestCase):
    def test_kill_during_burst_keeps_every_acknowledged_certificate(self):
        svc = Service().start()
        try:
            key = svc.create_key("egov", "portal")
            svc.cli("billing", "import", os.path.join(os.environ["ARAYIS_SHARE_DIR"], "demo", "billing.csv"))
            acknowledged, lock, stop = [], threading.Lock(), threading.Event()

            def worker():
                while not stop.is_set():
                    try:
                        status, got = svc.json("POST", "/api/v1/applications", application(RESIDENTIAL), key=key, timeout=5)
                    except Exception:
                        return
                    if status == 201:
                        with lock:
                            acknowledged.append(got["certificate"])

            threads = [threading.Thread(target=worker) for _ in range(8)]
            for t in threads:
                t.start()
            import time
            deadline = time.time() + 20
            while len(acknowledged) < 60 and time.time() < deadline:
                time.sleep(0.02)
            svc.kill()
            stop.set()
            for t in threads:
                t.join()
            self.assertGreater(len(acknowledged), 0)
            svc.start()
            for cert in acknowledged:
                status, _, pdf = svc.request("GET", f'/c/{cert["number"]}.pdf?code={cert["verification_code"]}')
                self.assertEqual(status, 200, cert["number"])
                self.assertEqual(hashlib.sha256(pdf).hexdigest(), cert["sha256"])
            def pending():
                return svc.sql("SELECT count(*) FROM certificates c WHERE sha256 = ''"
                               " OR NOT EXISTS (SELECT 1 FROM certificate_documents d WHERE d.number = c.number)")[0][0]

            # SQLite: the restart completes what the killed process left. PostgreSQL: other nodes may be working on the
            # same database, so the numbers the killed node had claimed are taken over once their claims run out.
            wait_until(lambda: pending() == 0, timeout=1 if engine() == "sqlite" else 45)
            seqs = [int(r[0].rsplit("-", 1)[1]) for r in svc.sql("SELECT number FROM certificates ORDER BY number")]
            self.assertEqual(pending(), 0)
            self.assertEqual(seqs, list(range(1, len(seqs) + 1)))
        finally:
            svc.close()


if __name__ == "__main__":
    unittest.main()

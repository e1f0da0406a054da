"""Black-box tests of the service foundation: health, metrics, error bodies, key roles, billing API and CSV import, shutdown."""
import os
import shutil
import signal
import tempfile
import unittest

from harness import Service, engine, run_cli

SUBSCRIBER = {
    "subscriber_type": "residential", "owner_fin": "5ABC7D9", "owner_voen": None,
    "holder_name": "Məmmədov Əli Şükür oğlu", "address": "Bakı şəhəri, Nəsimi rayonu",
    "debt_amount": "12.50", "as_of": "2026-11-25T09:00:00Z",
}
CSV_HEADER = "subscriber_code,subscriber_type,owner_fin,owner_voen,holder_name,address,debt_amount,as_of\n"


class FoundationTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.svc = Service().start()
        cls.portal = cls.svc.create_key("portal-egov", "portal")
        cls.billing = cls.svc.create_key("billing-main", "billing")
        cls.admin = cls.svc.create_key("ops-admin", "admin")

    @classmethod
    def tearDownClass(cls):
        cls.svc.close()

    def assert_error(self, status, body, want_status, want_code):
        self.assertEqual(status, want_status, body)
        self.assertEqual(body["error"]["code"], want_code)
        self.assertIsInstance(body["error"]["message"], str)

    def test_health(self):
        status, body = self.svc.json("GET", "/healthz")
        self.assertEqual((status, body), (200, {"status": "ok"}))

    def test_metrics_count_requests_by_route_and_status(self):
        self.svc.request("GET", "/healthz")
        self.svc.request("GET", "/api/v1/nothing-here")
        status, headers, data = self.svc.request("GET", "/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("text/plain"))
        text = data.decode()
        self.assertRegex(text, r'arayis_http_requests_total\{route="/healthz",status="200"\} [1-9]')
        self.assertRegex(text, r'arayis_http_requests_total\{route="unmatched",status="404"\} [1-9]')
        self.assertIn('arayis_http_request_duration_seconds_bucket{route="/healthz",le="+Inf"}', text)

    def test_unknown_api_path_is_404_in_contract_format(self):
        status, body = self.svc.json("GET", "/api/v1/unknown")
        self.assert_error(status, body, 404, "not_found")

    def test_wrong_method_is_405(self):
        status, body = self.svc.json("DELETE", "/api/v1/billing/subscribers/1234567")
        self.assert_error(status, body, 405, "method_not_allowed")

    def test_missing_and_unknown_keys_are_401(self):
        status, body = self.svc.json("PUT", "/api/v1/billing/subscribers/1234567", SUBSCRIBER)
        self.assert_error(status, body, 401, "unauthorized")
        status, body = self.svc.json("PUT", "/api/v1/billing/subscribers/1234567", SUBSCRIBER, key="ak_" + "0" * 64)
        self.assert_error(status, body, 401, "unauthorized")

    def test_wrong_role_is_403(self):
        for key in (self.portal, self.admin):
            status, body = self.svc.json("PUT", "/api/v1/billing/subscribers/1234567", SUBSCRIBER, key=key)
            self.assert_error(status, body, 403, "forbidden")

    def test_revoked_key_is_401(self):
        key = self.svc.create_key("short-lived", "billing")
        self.assertEqual(self.svc.json("PUT", "/api/v1/billing/subscribers/7654321", SUBSCRIBER, key=key)[0], 201)
        self.svc.cli("apikey", "revoke", "short-lived")
        status, body = self.svc.json("PUT", "/api/v1/billing/subscribers/7654321", SUBSCRIBER, key=key)
        self.assert_error(status, body, 401, "unauthorized")

    def test_billing_create_update_and_stale_update(self):
        path = "/api/v1/billing/subscribers/5550001"
        status, body = self.svc.json("PUT", path, SUBSCRIBER, key=self.billing)
        self.assertEqual(status, 201, body)
        self.assertEqual(body["debt_amount"], "12.50")
        self.assertEqual(body["holder_name"], "Məmmədov Əli Şükür oğlu")
        newer = dict(SUBSCRIBER, debt_amount="0", as_of="2026-11-25T21:00:00Z")
        status, body = self.svc.json("PUT", path, newer, key=self.billing)
        self.assertEqual((status, body["debt_amount"]), (200, "0.00"))
        stale = dict(SUBSCRIBER, debt_amount="999.99", as_of="2026-11-20T09:00:00Z")
        status, body = self.svc.json("PUT", path, stale, key=self.billing)
        self.assertEqual(status, 200)
        row = self.svc.sql("SELECT debt_qepik, as_of FROM subscribers WHERE code = '5550001'")[0]
        self.assertEqual(row[0], 0)

    def test_billing_validation_lists_every_bad_field(self):
        bad = dict(SUBSCRIBER, subscriber_type="household", owner_fin=None, debt_amount="-5", as_of="yesterday")
        status, body = self.svc.json("PUT", "/api/v1/billing/subscribers/12", bad, key=self.billing)
        self.assert_error(status, body, 400, "validation_failed")
        fields = {f["field"] for f in body["error"]["fields"]}
        self.assertTrue({"subscriber_code", "subscriber_type", "debt_amount", "as_of"} <= fields, fields)

    def test_billing_wrong_types_are_field_errors(self):
        bad = dict(SUBSCRIBER, debt_amount=12.5, holder_name=["x"])
        status, body = self.svc.json("PUT", "/api/v1/billing/subscribers/5550002", bad, key=self.billing)
        self.assert_error(status, body, 400, "validation_failed")
        fields = {f["field"] for f in body["error"]["fields"]}
        self.assertTrue({"debt_amount", "holder_name"} <= fields, fields)

    def test_billing_bad_bodies(self):
        path = "/api/v1/billing/subscribers/5550003"
        cases = [
            (b"{not json", "application/json", 400, "invalid_json"),
            (b"[1, 2]", "application/json", 400, "invalid_json"),
            (b'{"holder_name": "\xff\xfe"}', "application/json", 400, "invalid_json"),
            (b"{}", "text/plain", 415, "unsupported_media_type"),
            (b'{"a": "' + b"x" * 200_000 + b'"}', "application/json", 413, "payload_too_large"),
        ]
        for raw, ctype, want_status, want_code in cases:
            with self.subTest(code=want_code, ctype=ctype):
                status, headers, data = self.svc.request("PUT", path, raw, key=self.billing, content_type=ctype)
                import json
                self.assert_error(status, json.loads(data), want_status, want_code)
        self.assertEqual(self.svc.json("GET", "/healthz")[0], 200)

    @unittest.skipIf(engine() == "postgresql", "reads the bytes of the SQLite file and its write-ahead log")
    def test_database_holds_no_clear_text_key(self):
        with open(self.svc.db_path, "rb") as f:
            raw = f.read()
        for key in (self.portal, self.billing, self.admin):
            self.assertNotIn(key.encode(), raw)
            self.assertNotIn(key[3:].encode(), raw)
        wal = self.svc.db_path + "-wal"
        if os.path.exists(wal):
            with open(wal, "rb") as f:
                self.assertNotIn(self.portal.encode(), f.read())

    def test_logs_hold_no_key_or_personal_data(self):
        self.svc.json("PUT", "/api/v1/billing/subscribers/5550004", SUBSCRIBER, key=self.billing)
        log = "\n".join(self.svc.log_lines)
        self.assertNotIn(self.billing, log)
        self.assertNotIn("5ABC7D9", log)
        self.assertTrue(self.svc.log_events("request"))

    def test_apikey_list_shows_names_not_keys(self):
        out = self.svc.cli("apikey", "list").stdout
        self.assertIn("portal-egov", out)
        self.assertIn("billing", out)
        self.assertNotIn(self.portal, out)


class ImportTest(unittest.TestCase):
    def setUp(self):
        self.svc = Service()
        self.tmp = tempfile.mkdtemp(prefix="arayis-csv-")

    def tearDown(self):
        self.svc.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write_csv(self, rows):
        path = os.path.join(self.tmp, "billing.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write(CSV_HEADER + "".join(rows))
        return path

    def count_subscribers(self):
        return self.svc.sql("SELECT count(*) FROM subscribers")[0][0]

    def test_good_file_loads_every_row(self):
        path = self.write_csv([
            "1000001,residential,5ABC7D9,,Əliyev Vüqar,\"Bakı, Xətai r., 4\",0.00,2026-11-25T09:00:00Z\n",
            "1000002,non_residential,,1234567891,\"“Günəş” MMC\",,1 234.00,2026-11-25T09:00:00Z\n".replace("1 234.00", "1234.00"),
        ])
        out = self.svc.cli("billing", "import", path)
        self.assertIn("imported 2 rows", out.stdout)
        self.assertEqual(self.count_subscribers(), 2)
        self.assertEqual(self.svc.sql("SELECT debt_qepik FROM subscribers WHERE code='1000002'"), [(123400,)])

    def test_bad_file_loads_nothing_and_names_the_lines(self):
        path = self.write_csv([
            "1000001,residential,5ABC7D9,,Əliyev Vüqar,,0.00,2026-11-25T09:00:00Z\n",
            "1000002,residential,5ABC7D9,,Əliyev Vüqar,,12.345,2026-11-25T09:00:00Z\n",
            "1000003,residential,5ABC7D9,,Əliyev Vüqar,,1.00,2026-11-25T09:00:00Z\n",
            "12AB,residential,5ABC7D9,,Əliyev Vüqar,,1.00,2026-11-25T09:00:00Z\n",
        ])
        out = self.svc.cli("billing", "import", path, check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("line 3: debt_amount", out.stderr)
        self.assertIn("line 5: subscriber_code", out.stderr)
        self.assertNotIn("line 4", out.stderr)
        self.assertEqual(self.count_subscribers(), 0)

    def test_wrong_header_is_refused(self):
        path = os.path.join(self.tmp, "bad.csv")
        with open(path, "w") as f:
            f.write("code,type\n1,2\n")
        out = self.svc.cli("billing", "import", path, check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("line 1", out.stderr)

    def test_demo_data_loads(self):
        demo = os.path.join(os.environ["ARAYIS_SHARE_DIR"], "demo", "billing.csv")
        self.svc.cli("billing", "import", demo)
        self.assertEqual(self.count_subscribers(), 4)


class ShutdownTest(unittest.TestCase):
    def test_sigterm_exits_zero(self):
        svc = Service().start()
        try:
            self.assertEqual(svc.json("GET", "/healthz")[0], 200)
            self.assertEqual(svc.stop(signal.SIGTERM), 0)
            self.assertTrue(svc.log_events("stopped"))
        finally:
            svc.close()

    def test_flags_override_environment(self):
        svc = Service()
        try:
            out = run_cli(["serve", "--validity-days", "abc"], svc.env, check=False)
            self.assertEqual(out.returncode, 2)
            self.assertIn("--validity-days", out.stderr)
        finally:
            svc.close()


if __name__ == "__main__":
    unittest.main()

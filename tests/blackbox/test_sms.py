"""Black-box tests of SMS delivery through a real local HTTP gateway: texts, retries, back-off, failures, restarts."""
import os
import unittest

from gateway import Gateway
from harness import Service, wait_until

BASE = "https://arayis.example.az"


def application(code="1234567890", fin="5ABC7D9", mobile="050 123 45 67"):
    return {"subscriber_type": "residential", "subscriber_code": code,
            "applicant": {"fin": fin, "last_name": "Məmmədov", "first_name": "Əli", "birth_date": "1985-04-12"},
            "contact": {"mobile": mobile}}


class SmsTest(unittest.TestCase):
    def start(self, behaviour, **env):
        self.gw = Gateway(behaviour)
        self.addCleanup(self.gw.close)
        settings = {"ARAYIS_SMS_TRANSPORT": "http", "ARAYIS_SMS_GATEWAY_URL": self.gw.url,
                    "ARAYIS_SMS_RETRY_BASE_MS": "200", "ARAYIS_SMS_GATEWAY_TOKEN": "gw-secret",
                    "ARAYIS_PUBLIC_BASE_URL": BASE}
        settings.update(env)
        self.svc = Service(settings)
        self.addCleanup(self.svc.close)
        self.svc.start()
        self.key = self.svc.create_key("egov", "portal")
        self.svc.cli("billing", "import", os.path.join(os.environ["ARAYIS_SHARE_DIR"], "demo", "billing.csv"))

    def submit(self, body):
        return self.svc.json("POST", "/api/v1/applications", body, key=self.key)

    def history(self, app_id):
        return [h["status"] for h in self.svc.json("GET", f"/api/v1/applications/{app_id}", key=self.key)[1]["history"]]

    def test_issued_message_arrives_once_with_text_number_and_headers(self):
        self.start(lambda n: (200, {}, 0))
        status, got = self.submit(application())
        self.assertEqual(status, 201)
        cert = got["certificate"]
        self.assertTrue(wait_until(lambda: len(self.gw.delivered) == 1))
        _, headers, payload = self.gw.calls[0]
        self.assertEqual(payload["to"], "+994501234567")
        self.assertEqual(payload["text"], f'Arayışınız hazırdır: {cert["number"]}. Yükləyin: {cert["pdf_url"]}')
        self.assertEqual(headers["Idempotency-Key"], payload["reference"])
        self.assertEqual(headers["Authorization"], "Bearer gw-secret")
        self.assertTrue(wait_until(lambda: "sms_sent" in self.history(got["application_id"])))
        log = "\n".join(self.svc.log_lines)
        self.assertNotIn("501234567", log)
        self.assertNotIn("gw-secret", log)
        self.assertEqual(len(self.gw.calls), 1)

    def test_rejected_application_gets_a_message_too(self):
        self.start(lambda n: (200, {}, 0))
        status, got = self.submit(application(code="99999999"))
        self.assertEqual(status, 422)
        self.assertTrue(wait_until(lambda: len(self.gw.delivered) == 1))
        text = list(self.gw.delivered.values())[0]["text"]
        self.assertIn("99999999", text)
        self.assertIn("rədd edildi", text)

    def test_retries_with_growing_back_off_then_delivers_once(self):
        self.start(lambda n: (503, {}, 0) if n < 3 else (200, {}, 0))
        status, got = self.submit(application())
        self.assertTrue(wait_until(lambda: len(self.gw.delivered) == 1, timeout=20))
        times = [t for t, _, _ in self.gw.calls]
        self.assertEqual(len(times), 4)
        gaps = [b - a for a, b in zip(times, times[1:])]
        self.assertGreaterEqual(gaps[0], 0.09)          # 200 ms base, jitter 0.5-1.5
        self.assertGreater(gaps[2], gaps[0])           # 800 ms nominal vs 200 ms nominal
        self.assertEqual(len({p["reference"] for _, _, p in self.gw.calls}), 1)
        self.assertTrue(wait_until(lambda: "sms_sent" in self.history(got["application_id"])))
        metrics = self.svc.request("GET", "/metrics")[2].decode()
        self.assertRegex(metrics, r"arayis_sms_retries_total [3-9]")

    def test_retry_after_is_respected(self):
        self.start(lambda n: (429, {"Retry-After": "2"}, 0) if n == 0 else (200, {}, 0))
        self.submit(application())
        self.assertTrue(wait_until(lambda: len(self.gw.delivered) == 1, timeout=20))
        times = [t for t, _, _ in self.gw.calls]
        self.assertGreaterEqual(times[1] - times[0], 1.9)

    def test_client_error_fails_at_once_and_can_be_retried_by_operator(self):
        self.start(lambda n: (400, {}, 0) if n == 0 else (200, {}, 0))
        status, got = self.submit(application())
        self.assertTrue(wait_until(lambda: "sms_failed" in self.history(got["application_id"]), timeout=10))
        self.assertEqual(len(self.gw.calls), 1)
        listing = self.svc.cli("sms", "list", "--status", "failed").stdout
        self.assertIn("gateway answered 400", listing)
        self.assertIn("+99450*****67", listing)
        msg_id = listing.splitlines()[1].split()[0]
        self.svc.cli("sms", "retry", msg_id)
        self.assertTrue(wait_until(lambda: len(self.gw.delivered) == 1, timeout=10))

    def test_gives_up_after_max_attempts(self):
        self.start(lambda n: (500, {}, 0), ARAYIS_SMS_MAX_ATTEMPTS="3")
        status, got = self.submit(application())
        self.assertTrue(wait_until(lambda: "sms_failed" in self.history(got["application_id"]), timeout=20))
        self.assertEqual(len(self.gw.calls), 3)
        rows = self.svc.sql("SELECT status, attempts, last_error FROM sms_outbox")
        self.assertEqual(rows, [("failed", 3, "gateway answered 500")])

    def test_timeout_is_retried(self):
        self.start(lambda n: (200, {}, 20) if n == 0 else (200, {}, 0))
        self.submit(application())
        self.assertTrue(wait_until(lambda: len(self.gw.calls) >= 2, timeout=40))
        self.assertTrue(wait_until(lambda: len(self.gw.delivered) >= 1, timeout=10))

    def test_kill_with_pending_messages_delivers_each_exactly_once_after_restart(self):
        down = {"on": True}
        self.start(lambda n: (503, {}, 0) if down["on"] else (200, {}, 0), ARAYIS_SMS_RETRY_BASE_MS="100")
        refs = set()
        for _ in range(10):
            status, got = self.submit(application())
            self.assertEqual(status, 201)
            refs.add(got["certificate"]["number"])
        self.svc.kill()
        down["on"] = False
        self.svc.start()
        self.assertTrue(wait_until(lambda: len(self.gw.delivered) == 10, timeout=30))
        self.assertEqual(set(self.gw.delivered), refs)

        def sent_count():
            return self.svc.sql("SELECT count(*) FROM sms_outbox WHERE status = 'sent'")[0][0]

        # A send of the killed process may reach the gateway after the kill, when the gateway already answers 200:
        # delivered, but recorded by nobody. The new process sends it again with the same
        # idempotency key, and records it (on PostgreSQL once the claim runs out; on SQLite at once).
        self.assertTrue(wait_until(lambda: sent_count() == 10, timeout=45))
        self.assertEqual(len(self.gw.delivered), 10)


if __name__ == "__main__":
    unittest.main()

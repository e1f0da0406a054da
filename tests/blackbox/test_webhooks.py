"""Black-box tests of portal events: signed webhook deliveries to a real local receiver that fails, times out and
answers slowly; the cursor feed; one portal never sees another's events; nothing lost over a restart."""
import hashlib
import hmac
import json
import os
import time
import unittest

from gateway import Gateway
from harness import Service, wait_until

RESIDENTIAL = "1234567890"


def application(reference, code=RESIDENTIAL, fin="5ABC7D9"):
    return {"portal_reference": reference, "subscriber_type": "residential", "subscriber_code": code,
            "applicant": {"fin": fin, "last_name": "Məmmədov", "first_name": "Əli", "birth_date": "1985-04-12"},
            "contact": {"mobile": "+994501234567"}}


def verify_signature(secret, header, raw_body, now=None):
    """The portal's check, written from the documentation: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">, fresh."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    expected = hmac.new(secret.encode(), f"{fields['t']}.".encode() + raw_body, hashlib.sha256).hexdigest()
    fresh = abs((now or time.time()) - int(fields["t"])) <= 300
    return hmac.compare_digest(expected, fields["v1"]) and fresh


class WebhookTest(unittest.TestCase):
    def start_service(self, env=None, workdir=None):
        settings = {"ARAYIS_WEBHOOK_RETRY_BASE_MS": "100"}
        settings.update(env or {})
        svc = Service(settings, workdir=workdir)
        svc.start()
        return svc

    def setUp(self):
        self.svc = self.start_service()
        self.addCleanup(self.svc.close)
        self.svc.cli("billing", "import", os.path.join(os.environ["ARAYIS_SHARE_DIR"], "demo", "billing.csv"))
        self.admin = self.svc.create_key("ops", "admin")

    def portal_with_webhook(self, name, url):
        out = self.svc.cli("apikey", "create", name, "--role", "portal", "--webhook", url).stdout.strip().splitlines()
        secret_lines = [line for line in out if line.startswith("webhook secret: ")]
        self.assertEqual(len(secret_lines), 1)
        self.assertTrue(out[-1].startswith("ak_"), "the key stays alone on the last line")
        return out[-1], secret_lines[0].split(": ", 1)[1]

    def receiver(self, behaviour):
        gw = Gateway(behaviour, id_header="Arayis-Event-Id")
        self.addCleanup(gw.close)
        return gw

    def events_of(self, gw):
        """Distinct delivered events in arrival order, each with its headers and raw body (first arrival)."""
        seen, out = set(), []
        for (_, headers, payload), raw in zip(list(gw.calls), list(gw.bodies)):
            if payload["id"] not in seen and payload["id"] in gw.delivered:
                seen.add(payload["id"])
                out.append((headers, payload, raw))
        return out

    def test_events_arrive_signed_in_order_despite_failures_and_slowness(self):
        # calls 0-1 fail with 500, call 2 answers after 1.5 s, call 3 is refused with 400, the rest succeed
        plan = {0: (500, {}, 0), 1: (503, {"Retry-After": "1"}, 0), 2: (200, {}, 1.5), 3: (400, {}, 0)}
        gw = self.receiver(lambda n: plan.get(n, (200, {}, 0)))
        key, secret = self.portal_with_webhook("egov", gw.url)
        status, issued = self.svc.json("POST", "/api/v1/applications", application("ref-1"), key=key)
        self.assertEqual(status, 201)
        status, rejected = self.svc.json("POST", "/api/v1/applications", application("ref-2", code="99999999"), key=key)
        self.assertEqual(status, 422)
        number = issued["certificate"]["number"]

        def sms_sent():
            _, got = self.svc.json("GET", f"/api/v1/applications/{issued['application_id']}", key=key)
            return "sms_sent" in [h["status"] for h in got["history"]]
        self.assertTrue(wait_until(sms_sent, timeout=10))  # the revocation comes after the SMS: so do their events
        status, _ = self.svc.json("POST", f"/api/v1/certificates/{number}/revoke", {"reason": "səhv verilib"},
                                  key=self.admin)
        self.assertEqual(status, 200)
        self.assertTrue(wait_until(lambda: len(gw.delivered) >= 5, timeout=60), gw.calls)
        events = self.events_of(gw)
        by_app = {}
        for headers, payload, raw in events:
            self.assertTrue(verify_signature(secret, headers["Arayis-Signature"], raw), headers)
            self.assertFalse(verify_signature("whsec_" + "0" * 64, headers["Arayis-Signature"], raw))
            self.assertEqual(headers["Arayis-Event-Id"], payload["id"])
            self.assertTrue(payload["id"].startswith("evt_"))
            self.assertNotIn("5ABC7D9", raw.decode())        # nothing the portal did not send, no FIN
            self.assertNotIn("+99450", raw.decode())
            by_app.setdefault(payload["data"]["application_id"], []).append(payload["type"])
        self.assertEqual(by_app[issued["application_id"]],
                         ["application.issued", "application.sms_sent", "certificate.revoked"])
        self.assertEqual(rejected["error"]["code"], "subscriber_not_found")
        others = [v for k, v in by_app.items() if k != issued["application_id"]]
        self.assertEqual(others, [["application.rejected", "application.sms_sent"]])
        rejected_id = next(k for k in by_app if k != issued["application_id"])
        issued_event = next(p for _, p, _ in events if p["type"] == "application.issued")
        self.assertEqual(issued_event["data"], {"application_id": issued["application_id"], "portal_reference": "ref-1",
                                                "status": "issued", "certificate_number": number})
        sent_events = sorted((p["data"] for _, p, _ in events if p["type"] == "application.sms_sent"),
                             key=lambda data: data["portal_reference"])  # the sender names the application's portal
        self.assertEqual(sent_events, [{"application_id": issued["application_id"], "portal_reference": "ref-1",
                                        "status": "sms_sent"},
                                       {"application_id": rejected_id, "portal_reference": "ref-2", "status": "sms_sent"}])
        self.assertEqual(len(gw.calls), 8, "each of the three failures was retried once")
        listing = self.svc.cli("webhooks", "list", "--status", "delivered").stdout
        self.assertEqual(listing.count(" delivered "), 5, listing)
        failures = [e for e in self.svc.log_events("webhook_attempt_failed")]
        self.assertIn("webhook answered 500", {e.get("error") for e in failures})
        self.assertNotIn(secret, "\n".join(self.svc.log_lines))

    def test_the_feed_returns_the_same_events_and_never_another_portals(self):
        gw = self.receiver(lambda n: (200, {}, 0))
        key, _ = self.portal_with_webhook("egov", gw.url)
        other = self.svc.create_key("azerishiq", "portal")
        for ref in ("a", "b", "c"):
            self.assertEqual(self.svc.json("POST", "/api/v1/applications", application(ref), key=key)[0], 201)
        self.assertEqual(self.svc.json("POST", "/api/v1/applications", application("x"), key=other)[0], 201)
        self.assertTrue(wait_until(lambda: len(gw.delivered) >= 6, timeout=30))
        feed, cursor = [], "0"
        while True:
            status, page = self.svc.json("GET", f"/api/v1/events?after={cursor}&limit=2", key=key)
            self.assertEqual(status, 200)
            if not page["events"]:
                self.assertEqual(page["next_cursor"], cursor)
                break
            feed.extend(page["events"])
            cursor = page["next_cursor"]
        delivered_ids = {p["id"] for p in gw.delivered.values()}
        self.assertEqual([e["id"] for e in feed if e["type"] in ("application.issued", "application.sms_sent")],
                         [e["id"] for e in feed])
        self.assertEqual({e["id"] for e in feed}, delivered_ids)
        self.assertEqual(len(feed), 6)
        cursors = [int(e["cursor"]) for e in feed]
        self.assertEqual(cursors, sorted(cursors))
        status, theirs = self.svc.json("GET", "/api/v1/events", key=other)
        self.assertEqual(status, 200)
        self.assertEqual({e["data"]["portal_reference"] for e in theirs["events"]}, {"x"})
        self.assertTrue(delivered_ids.isdisjoint({e["id"] for e in theirs["events"]}))
        for bad in ("after=-1", "after=x", "limit=0", "limit=201"):
            status, body = self.svc.json("GET", f"/api/v1/events?{bad}", key=key)
            self.assertEqual(status, 400, bad)
            self.assertEqual(body["error"]["code"], "validation_failed")
        self.assertEqual(self.svc.json("GET", "/api/v1/events", key=self.admin)[0], 403)

    def test_events_pending_over_a_restart_are_delivered_after_it(self):
        down = self.receiver(lambda n: (503, {}, 0))
        key, _ = self.portal_with_webhook("egov", down.url)
        self.assertEqual(self.svc.json("POST", "/api/v1/applications", application("r1"), key=key)[0], 201)
        self.assertTrue(wait_until(lambda: len(down.calls) >= 1, timeout=20))
        self.assertEqual(self.svc.stop(), 0)
        up = self.receiver(lambda n: (200, {}, 0))
        out = self.svc.cli("apikey", "update", "egov", "--webhook", up.url).stdout
        self.assertIn("webhook secret is unchanged", out)
        self.assertNotIn("webhook secret: ", out)
        self.svc.start()
        self.assertTrue(wait_until(lambda: len(up.delivered) >= 2, timeout=30))
        self.assertEqual(sorted(p["type"] for p in up.delivered.values()),
                         ["application.issued", "application.sms_sent"])

    def test_a_slow_webhook_is_cut_at_the_time_out_and_retried(self):
        gw = self.receiver(lambda n: (200, {}, 12) if n == 0 else (200, {}, 0))
        key, _ = self.portal_with_webhook("egov", gw.url)
        started = time.time()
        self.assertEqual(self.svc.json("POST", "/api/v1/applications", application("slow"), key=key)[0], 201)
        self.assertTrue(wait_until(lambda: len(gw.calls) >= 2, timeout=40))
        self.assertLess(gw.calls[1][0] - started, 12, "the second attempt did not wait for the first to finish")
        self.assertTrue(wait_until(lambda: len(gw.delivered) >= 2, timeout=30))


if __name__ == "__main__":
    unittest.main()

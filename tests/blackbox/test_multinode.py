"""Several arayis nodes on one PostgreSQL database, started by the tests: numbering, idempotency, a node killed under
load, the database stopped under load, SMS sent once by three senders, revocation seen by every node."""
import concurrent.futures
import hashlib
import itertools
import json
import os
import threading
import time
import unittest

import postgres
from gateway import Gateway
from harness import Service, wait_until

BASE = "https://arayis.example.az"
DEMO = os.path.join(os.environ.get("ARAYIS_SHARE_DIR", "."), "demo", "billing.csv")


def application(reference, code="1234567890", mobile="+994501234567"):
    return {"portal_reference": reference, "subscriber_type": "residential", "subscriber_code": code,
            "applicant": {"fin": "5ABC7D9", "last_name": "Məmmədov", "first_name": "Əli", "birth_date": "1985-04-12"},
            "contact": {"mobile": mobile}}


class Nodes:
    """n arayis processes on one database, with one keys directory (the first node makes the development keys)."""

    def __init__(self, url, n, extra_env=None):
        settings = {"ARAYIS_DATABASE_URL": url, "ARAYIS_PUBLIC_BASE_URL": BASE, "ARAYIS_RATE_API": "0"}
        settings.update(extra_env or {})
        self.nodes = [Service(settings).start()]
        settings["ARAYIS_KEYS_DIR"] = self.nodes[0].env["ARAYIS_KEYS_DIR"]
        self.nodes += [Service(settings).start() for _ in range(n - 1)]
        first = self.nodes[0]
        self.key = first.create_key("egov", "portal")
        self.admin = first.create_key("ops", "admin")
        first.cli("billing", "import", DEMO)

    def __getitem__(self, i):
        return self.nodes[i]

    def __iter__(self):
        return iter(self.nodes)

    def sql(self, query, params=()):
        return self.nodes[0].sql(query, params)

    def close(self):
        for node in self.nodes:
            node.close()

    def numbers(self):
        return [r[0] for r in self.sql("SELECT number FROM certificates ORDER BY number")]

    def assert_consecutive(self, test, numbers):
        seqs = [int(n.rsplit("-", 1)[1]) for n in numbers]
        test.assertEqual(seqs, list(range(1, len(seqs) + 1)))


def post(node, key, body, timeout=30):
    """(status, JSON body, Retry-After) of one POST /api/v1/applications; (None, None, None) when the node does not
    answer (killed, refusing connections)."""
    try:
        status, headers, data = node.request("POST", "/api/v1/applications", body, key=key, timeout=timeout)
    except OSError:
        return None, None, None
    import json
    return status, json.loads(data) if data else None, headers.get("retry-after")


def issue_until_done(nodes, key, reference, start, deadline_s=90):
    """Posts the application `reference` to the nodes in turn, from node `start` on, until one answers 200 or 201;
    returns that answer's certificate. Another node gets the same reference after a failure, as a portal behind the
    load balancer would retry."""
    deadline = time.time() + deadline_s
    for i in itertools.count(start):
        node = nodes[i % len(nodes.nodes)]
        status, body, retry_after = post(node, key, application(reference), timeout=10)
        if status in (200, 201):
            return body["certificate"]
        if status is not None and status != 503:
            raise AssertionError(f"{reference}: {status} {body}")
        if time.time() > deadline:
            raise AssertionError(f"{reference} was never issued")
        time.sleep(float(retry_after) / 10 if retry_after else 0.1)


@unittest.skipUnless(postgres.available(), "PostgreSQL server binaries are missing (scripts/deps.sh --test)")
class SharedDatabaseTest(unittest.TestCase):
    def setUp(self):
        self.db = postgres.shared().create_database()

    def start_nodes(self, n, extra_env=None):
        nodes = Nodes(self.db.url, n, extra_env)
        self.addCleanup(nodes.close)
        return nodes

    def test_thousand_concurrent_issues_take_numbers_one_to_thousand_and_read_alike_everywhere(self):
        nodes = self.start_nodes(3)
        total = 1000

        def one(i):
            status, body, _ = post(nodes[i % 3], nodes.key, application(f"MN-{i}"))
            self.assertEqual(status, 201, body)
            return body["certificate"]

        with concurrent.futures.ThreadPoolExecutor(24) as pool:
            certificates = list(pool.map(one, range(total)))
        numbers = sorted(c["number"] for c in certificates)
        self.assertEqual(len(set(numbers)), total)
        nodes.assert_consecutive(self, numbers)
        self.assertEqual(nodes.numbers(), numbers)

        def same_everywhere(cert):
            path = f'/c/{cert["number"]}.pdf?code={cert["verification_code"]}'
            for node in nodes:
                status, _, pdf = node.request("GET", path)
                self.assertEqual(status, 200)
                self.assertEqual(hashlib.sha256(pdf).hexdigest(), cert["sha256"], cert["number"])

        with concurrent.futures.ThreadPoolExecutor(12) as pool:
            list(pool.map(same_everywhere, certificates))

        # one transparency log for all nodes: every certificate in it once, every node signing the same tree
        def checkpoints():
            return [node.request("GET", "/api/v1/log/checkpoint")[2].decode() for node in nodes]

        self.assertTrue(wait_until(lambda: all(c.splitlines()[1] == str(total) for c in checkpoints()), timeout=30))
        heads = {"\n".join(c.splitlines()[:3]) for c in checkpoints()}
        self.assertEqual(len(heads), 1, heads)
        nodes[0].cli("log", "check-store")
        logged = nodes.sql("SELECT count(*), count(DISTINCT number) FROM tlog_entries")[0]
        self.assertEqual(tuple(logged), (total, total))

    def test_one_reference_posted_to_two_nodes_at_once_is_one_application(self):
        nodes = self.start_nodes(2)
        for round_ in range(20):
            same_body = round_ % 2 == 0
            bodies = [application(f"RACE-{round_}"), application(f"RACE-{round_}")]
            if not same_body:
                bodies[1]["contact"]["mobile"] = "+994551112233"
            barrier = threading.Barrier(2)
            answers = [None, None]

            def send(i):
                barrier.wait()
                answers[i] = post(nodes[i], nodes.key, bodies[i])

            threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            statuses = sorted(a[0] for a in answers)
            applications = nodes.sql("SELECT count(*) FROM applications WHERE portal_reference = ?",
                                     (f"RACE-{round_}",))[0][0]
            self.assertEqual(applications, 1, answers)
            if same_body:
                self.assertIn(statuses, ([200, 201], [201, 201]), answers)
                self.assertEqual(answers[0][1]["application_id"], answers[1][1]["application_id"])
                self.assertEqual(answers[0][1].get("certificate"), answers[1][1].get("certificate"), answers)
            else:
                self.assertEqual(statuses, [201, 409], answers)
        nodes.assert_consecutive(self, nodes.numbers())

    def test_a_node_killed_under_load_loses_nothing_and_skips_no_number(self):
        nodes = self.start_nodes(3)
        references = [f"KILL-{i}" for i in range(150)]
        acknowledged, lock = {}, threading.Lock()

        def client(refs, start):
            for j, ref in enumerate(refs):
                cert = issue_until_done(nodes, nodes.key, ref, start + j)
                with lock:
                    acknowledged[ref] = cert

        chunks = [references[i::6] for i in range(6)]
        threads = [threading.Thread(target=client, args=(chunk, i)) for i, chunk in enumerate(chunks)]
        for t in threads:
            t.start()
        self.assertTrue(wait_until(lambda: len(acknowledged) >= 30, timeout=60))
        nodes[0].kill()
        for t in threads:
            t.join(180)
        self.assertEqual(sorted(acknowledged), sorted(references))
        rows = nodes.sql("SELECT a.portal_reference, c.number, c.sha256 FROM applications a"
                         " JOIN certificates c ON c.application_id = a.id WHERE a.portal_reference LIKE 'KILL-%'")
        by_reference = {}
        for ref, number, sha in rows:
            by_reference.setdefault(ref, []).append((number, sha))
        self.assertEqual(sorted(by_reference), sorted(references))
        for ref, cert in acknowledged.items():
            self.assertEqual(by_reference[ref], [(cert["number"], cert["sha256"])], ref)
        # the numbers the killed node had reserved are completed by the others once their claims run out
        self.assertTrue(wait_until(lambda: nodes.sql("SELECT count(*) FROM certificates WHERE sha256 = ''")[0][0] == 0,
                                   timeout=60))
        self.assertEqual(nodes.sql("SELECT count(*) FROM certificates WHERE voided_at IS NOT NULL")[0][0], 0)
        nodes.assert_consecutive(self, nodes.numbers())
        for cert in acknowledged.values():
            status, _, pdf = nodes[1].request("GET", f'/c/{cert["number"]}.pdf?code={cert["verification_code"]}')
            self.assertEqual((status, hashlib.sha256(pdf).hexdigest()), (200, cert["sha256"]))

    def test_a_revocation_on_one_node_is_seen_by_the_next_verification_on_another(self):
        nodes = self.start_nodes(2)
        for i in range(5):
            status, body, _ = post(nodes[0], nodes.key, application(f"REV-{i}"))
            self.assertEqual(status, 201)
            cert = body["certificate"]
            path = f'/v/{cert["number"]}?code={cert["verification_code"]}'
            accept = {"Accept": "application/json"}
            self.assertEqual(nodes[1].json("GET", path, headers=accept)[1]["status"], "valid")
            status, _ = nodes[0].json("POST", f'/api/v1/certificates/{cert["number"]}/revoke',
                                      {"reason": "Səhv məlumat"}, key=nodes.admin)
            self.assertEqual(status, 200)
            self.assertEqual(nodes[1].json("GET", path, headers=accept)[1]["status"], "revoked")

    def test_three_senders_deliver_each_message_once_through_a_failing_slow_gateway(self):
        outcomes = {}
        lock = threading.Lock()

        def behaviour(n):
            # every third call fails, every fifth is slow: retries and claims are both exercised
            if n % 3 == 1:
                return 503, {}, 0
            return 200, {}, 1.5 if n % 5 == 0 else 0

        gw = Gateway(behaviour)
        self.addCleanup(gw.close)
        nodes = self.start_nodes(3, {"ARAYIS_SMS_TRANSPORT": "http", "ARAYIS_SMS_GATEWAY_URL": gw.url,
                                     "ARAYIS_SMS_RETRY_BASE_MS": "200", "ARAYIS_SMS_GATEWAY_TOKEN": "gw-secret"})
        total = 45
        for i in range(total):
            status, body, _ = post(nodes[i % 3], nodes.key, application(f"SMS-{i}"))
            self.assertEqual(status, 201)
            with lock:
                outcomes[body["application_id"]] = body

        def all_sent():
            return nodes.sql("SELECT count(*) FROM sms_outbox WHERE status = 'sent'")[0][0] == total

        self.assertTrue(wait_until(all_sent, timeout=120))
        time.sleep(2)  # anything sent twice would arrive meanwhile
        answered = {}
        for n, (_, headers, _) in enumerate(gw.calls):
            if behaviour(n)[0] == 200:
                key = headers.get("Idempotency-Key")
                answered[key] = answered.get(key, 0) + 1
        self.assertEqual(len(answered), total)
        self.assertEqual(set(answered.values()), {1}, {k: v for k, v in answered.items() if v != 1})

    def test_a_sender_killed_mid_send_leaves_the_message_to_another_node_with_the_same_key(self):
        first_call = threading.Event()

        def behaviour(n):
            if n == 0:
                first_call.set()
                return 200, {}, 8  # the first node dies before this answer reaches it
            return 200, {}, 0

        gw = Gateway(behaviour)
        self.addCleanup(gw.close)
        nodes = self.start_nodes(2, {"ARAYIS_SMS_TRANSPORT": "http", "ARAYIS_SMS_GATEWAY_URL": gw.url,
                                     "ARAYIS_SMS_RETRY_BASE_MS": "200", "ARAYIS_SMS_GATEWAY_TOKEN": "gw-secret"})
        nodes[1].kill()  # only the first node sends at first
        status, body, _ = post(nodes[0], nodes.key, application("SMS-KILL"))
        self.assertEqual(status, 201)
        self.assertTrue(first_call.wait(20))
        nodes[0].kill()
        nodes[1].start()
        self.assertTrue(wait_until(lambda: len(gw.calls) >= 2, timeout=90))
        keys = [headers.get("Idempotency-Key") for _, headers, _ in gw.calls]
        self.assertEqual(len(set(keys)), 1, keys)
        self.assertTrue(wait_until(lambda: nodes.sql("SELECT status FROM sms_outbox")[0][0] == "sent", timeout=30))


@unittest.skipUnless(postgres.available(), "PostgreSQL server binaries are missing (scripts/deps.sh --test)")
class DatabaseOutageTest(unittest.TestCase):
    def test_the_database_stopped_under_load_loses_nothing_acknowledged_and_nodes_recover_alone(self):
        cluster = postgres.Cluster().start()
        self.addCleanup(cluster.close)
        nodes = Nodes(cluster.create_database().url, 2)
        self.addCleanup(nodes.close)
        acknowledged, lock, stop = {}, threading.Lock(), threading.Event()
        self.addCleanup(stop.set)
        seen_503 = []
        counter = itertools.count()

        def client(start):
            for i in itertools.count(start):
                if stop.is_set():
                    return
                ref = f"OUT-{next(counter)}"
                status, body, retry_after = post(nodes[i % 2], nodes.key, application(ref), timeout=10)
                if status == 201:
                    with lock:
                        acknowledged[ref] = body["certificate"]
                else:
                    if status == 503:
                        seen_503.append(retry_after)
                    time.sleep(0.1)

        threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(4)]
        for t in threads:
            t.start()
        self.assertTrue(wait_until(lambda: len(acknowledged) >= 40, timeout=60))
        cluster.stop("immediate")
        self.assertTrue(wait_until(lambda: len(seen_503) >= 5, timeout=30))
        self.assertTrue(all(seen_503), "a 503 without Retry-After")
        status, headers, data = nodes[0].request("GET", "/healthz")
        self.assertEqual((status, data), (503, b'{"status":"unavailable"}'))
        cert = next(iter(acknowledged.values()))
        for accept in ("application/json", "text/html"):  # never a verdict the database did not give just now
            status, headers, _ = nodes[1].request("GET", f'/v/{cert["number"]}?code={cert["verification_code"]}',
                                                  headers={"Accept": accept})
            self.assertEqual(status, 503, accept)
            self.assertIn("retry-after", headers)
        for node in nodes:
            self.assertIsNone(node.proc.poll(), "a node exited while its database was away")
        before = len(acknowledged)
        cluster.start()
        self.assertTrue(wait_until(lambda: nodes[1].request("GET", "/healthz")[0] == 200, timeout=30))
        self.assertTrue(wait_until(lambda: len(acknowledged) >= before + 40, timeout=60), "issuing did not come back")
        status, _, data = nodes[1].request("GET", f'/v/{cert["number"]}?code={cert["verification_code"]}',
                                           headers={"Accept": "application/json"})
        self.assertEqual((status, json.loads(data)["status"]), (200, "valid"), "verification did not come back")
        stop.set()
        for t in threads:
            t.join(60)
        stored = dict(nodes.sql("SELECT number, sha256 FROM certificates"))
        for ref, cert in acknowledged.items():
            self.assertEqual(stored.get(cert["number"]), cert["sha256"], ref)
        self.assertTrue(wait_until(lambda: nodes.sql("SELECT count(*) FROM certificates WHERE sha256 = ''")[0][0] == 0,
                                   timeout=60))
        nodes.assert_consecutive(self, nodes.numbers())


if __name__ == "__main__":
    unittest.main()

"""Black-box tests of requests that race for the same portal_reference, sent at the same instant so that they meet in
one commit (the committer runs every queued write in one transaction, each in its own savepoint): the write that
loses the insert is undone alone, its request answers as a replay of the winner (or 409 for a different body), and
the other writes of that commit are stored."""
import os
import threading
import unittest

from harness import Service
from test_applications import RESIDENTIAL, application

THREADS = 12
ROUNDS = 8
COPIES = 3                          # requests per reference in a round


class RacingReferencesTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.svc = Service({"ARAYIS_RATE_API": "0"}).start()
        cls.portal = cls.svc.create_key("egov", "portal")
        cls.svc.cli("billing", "import", os.path.join(os.environ["ARAYIS_SHARE_DIR"], "demo", "billing.csv"))

    @classmethod
    def tearDownClass(cls):
        cls.svc.close()

    def race(self, bodies):
        """Sends every body from its own thread at once; the answers, in the order of bodies."""
        start = threading.Barrier(len(bodies))
        answers = [None] * len(bodies)

        def send(i):
            start.wait()
            answers[i] = self.svc.json("POST", "/api/v1/applications", bodies[i], key=self.portal)

        threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return answers

    def test_copies_of_one_request_make_one_application(self):
        references = []
        for r in range(ROUNDS):
            round_refs = [f"COPY-{r}-{k}" for k in range(THREADS // COPIES)]
            references += round_refs
            answers = self.race([application(RESIDENTIAL, reference=ref) for ref in round_refs for _ in range(COPIES)])
            for k, ref in enumerate(round_refs):
                mine = answers[k * COPIES:(k + 1) * COPIES]
                with self.subTest(reference=ref):
                    self.assertEqual(sorted(status for status, _ in mine), [200] * (COPIES - 1) + [201], mine)
                    self.assertEqual(len({body["application_id"] for _, body in mine}), 1, mine)
                    self.assertEqual(len({body["certificate"]["number"] for _, body in mine}), 1, mine)
        rows = self.svc.sql("SELECT portal_reference, count(*) FROM applications WHERE portal_reference LIKE 'COPY-%'"
                            " GROUP BY portal_reference")
        self.assertEqual(sorted(rows), sorted((ref, 1) for ref in references))
        self.assert_numbers_have_no_gap()

    def test_a_different_body_loses_or_wins_but_never_both(self):
        for r in range(ROUNDS):
            ref = f"RACE-BODY-{r}"
            answers = self.race([application(RESIDENTIAL, reference=ref),
                                 application(RESIDENTIAL, reference=ref, **{"contact.email": "other@example.az"})]
                                + [application(RESIDENTIAL, reference=f"RACE-BYSTANDER-{r}-{k}") for k in range(4)])
            with self.subTest(reference=ref):
                statuses = sorted(status for status, _ in answers[:2])
                self.assertEqual(statuses, [201, 409], answers[:2])
                loser = [body for status, body in answers[:2] if status == 409][0]
                self.assertEqual(loser["error"]["code"], "idempotency_conflict")
                self.assertEqual([status for status, _ in answers[2:]], [201] * 4, answers[2:])
        self.assert_numbers_have_no_gap()

    def assert_numbers_have_no_gap(self):
        numbers = [row[0] for row in self.svc.sql("SELECT number FROM certificates ORDER BY number")]
        self.assertEqual([int(n.rsplit("-", 1)[1]) for n in numbers], list(range(1, len(numbers) + 1)))
        pending = self.svc.sql("SELECT count(*) FROM certificates WHERE sha256 = '' AND voided_at IS NULL")
        self.assertEqual(pending[0][0], 0)


if __name__ == "__main__":
    unittest.main()

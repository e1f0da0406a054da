"""Black-box tests of proofs over a log of some hundred entries, larger than the subtrees of 64 leaves and up that the
service keeps in memory once it has read them: every inclusion proof at several tree sizes, asked twice (the second
answer partly from memory), and consistency proofs between those sizes, each checked by the independent verifier in
tlog_verifier.py against the signed checkpoints' roots and against proofs it computes from the entries route; then
the same after the log has grown."""
import unittest

import tlog_verifier as v
from harness import Service
from test_transparency_log import DEMO, Log, issue, log_settings, require_log

SEEDED = 700                        # 1010111100 in binary: an incomplete right edge at several levels
SIZES = [1, 64, 65, 128, 449, 512, 640, SEEDED]


class ProofsAtScaleTest(unittest.TestCase):
    """SEEDED certificates written before the service starts, which logs them all at start-up."""

    @classmethod
    def setUpClass(cls):
        require_log()
        cls.svc = Service(log_settings())
        cls.svc.cli("bench", "seed", "--count", str(SEEDED))
        cls.svc.start()
        cls.svc.portal = cls.svc.create_key("egov", "portal")
        cls.svc.cli("billing", "import", DEMO)
        cls.log = Log(cls.svc)
        cls.checkpoint = cls.log.wait_for_size(SEEDED)[1]
        cls.leaves = [v.leaf_hash(e) for e in cls.log.entries(SEEDED)]

    @classmethod
    def tearDownClass(cls):
        cls.svc.close()

    def roots(self):
        """The root of each tree size of SIZES, from the entries."""
        return {size: v.root(self.leaves[:size]) for size in SIZES}

    def test_the_seeded_log_is_the_checkpoint(self):
        self.assertEqual(self.checkpoint.size, SEEDED)
        self.assertEqual(v.root(self.leaves), self.checkpoint.root)

    def test_every_inclusion_proof_twice_at_every_size(self):
        roots = self.roots()
        for size in SIZES:
            for index in range(size):
                for attempt in (1, 2):
                    with self.subTest(size=size, index=index, attempt=attempt):
                        leaf_index, proof = self.log.inclusion(size, index=index)
                        self.assertEqual(leaf_index, index)
                        v.verify_inclusion(index, size, self.leaves[index], proof, roots[size])
                        self.assertEqual(proof, v.inclusion_proof(index, self.leaves[:size]))

    def test_consistency_between_every_pair_of_sizes(self):
        roots = self.roots()
        for i, first in enumerate(SIZES):
            for second in SIZES[i:]:
                with self.subTest(first=first, second=second):
                    proof = self.log.consistency(first, second)
                    v.verify_consistency(first, second, proof, roots[first], roots[second])
                    self.assertEqual(proof, v.consistency_proof(first, self.leaves[:second]))

    def test_proofs_after_the_log_grows(self):
        cert = issue(self.svc, "SCALE-1")
        index = cert["verification"]["log_index"]
        self.assertEqual(index, SEEDED)
        checkpoint = self.log.wait_for_size(SEEDED + 1)[1]
        entries = self.log.entries(checkpoint.size)
        entry = v.decode_entry(entries[index])
        self.assertEqual((entry.number, entry.document_sha256), (cert["number"], cert["pdf_sha256"]))
        leaves = [v.leaf_hash(e) for e in entries]
        self.assertEqual(v.root(leaves), checkpoint.root)
        for i in (0, 63, 64, 511, 512, SEEDED - 1, index):
            with self.subTest(index=i):
                _, proof = self.log.inclusion(checkpoint.size, index=i)
                v.verify_inclusion(i, checkpoint.size, leaves[i], proof, checkpoint.root)
        _, proof = self.log.inclusion(checkpoint.size, number=cert["number"])
        v.verify_inclusion(index, checkpoint.size, leaves[index], proof, checkpoint.root)
        for first in SIZES:
            with self.subTest(first=first):
                v.verify_consistency(first, checkpoint.size, self.log.consistency(first, checkpoint.size),
                                     v.root(leaves[:first]), checkpoint.root)


if __name__ == "__main__":
    unittest.main()

"""Tests of the independent log verifier (tlog_verifier.py) on published vectors: the Certificate Transparency 8-leaf
tree (RFC 6962 roots, inclusion and consistency paths as Chromium's and certificate-transparency's tests carry them),
the signed note of golang.org/x/mod/sumdb/note, and proofs, notes and entries it must reject. Needs no arayis."""
import base64
import hashlib
import struct
import unittest

import tlog_verifier as v


def h(hex_text):
    return bytes.fromhex(hex_text)


# The CT reference tree: its eight leaf inputs and the root of each prefix (index n: the tree of n leaves).
CT_LEAVES = [h(x) for x in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                            "606162636465666768696a6b6c6d6e6f")]
CT_ROOTS = [h(x) for x in (
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")]
# (leaf index from 0, tree size, path)
CT_INCLUSION = [
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (0, 1, []),
]
# (first size, second size, proof)
CT_CONSISTENCY = [
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]

# golang.org/x/mod/sumdb/note: its example verifier key and the note it documents as signed by that key.
GO_VERIFIER_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
GO_NOTE = GO_TEXT + "\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"


def flipped(digest, bit=0):
    return bytes([digest[0] ^ (1 << bit)]) + digest[1:]


class TreeTest(unittest.TestCase):
    leaves = [v.leaf_hash(x) for x in CT_LEAVES]

    def test_roots_of_every_prefix_of_the_reference_tree(self):
        for n in range(len(CT_LEAVES) + 1):
            self.assertEqual(v.root(self.leaves[:n]).hex(), CT_ROOTS[n].hex(), n)

    def test_leaf_and_node_hashes_carry_their_prefixes(self):
        self.assertEqual(v.leaf_hash(b""), hashlib.sha256(b"\x00").digest())
        self.assertEqual(v.node_hash(b"a" * 32, b"b" * 32), hashlib.sha256(b"\x01" + b"a" * 32 + b"b" * 32).digest())

    def test_reference_inclusion_paths_are_built_and_verify(self):
        for index, size, path in CT_INCLUSION:
            with self.subTest(index=index, size=size):
                proof = [h(x) for x in path]
                self.assertEqual(v.inclusion_proof(index, self.leaves[:size]), proof)
                v.verify_inclusion(index, size, self.leaves[index], proof, CT_ROOTS[size])

    def test_reference_consistency_proofs_are_built_and_verify(self):
        for first, second, path in CT_CONSISTENCY:
            with self.subTest(first=first, second=second):
                proof = [h(x) for x in path]
                self.assertEqual(v.consistency_proof(first, self.leaves[:second]), proof)
                v.verify_consistency(first, second, proof, CT_ROOTS[first], CT_ROOTS[second])

    def test_every_leaf_and_every_pair_of_sizes_up_to_40(self):
        leaves = [v.leaf_hash(struct.pack(">I", i)) for i in range(40)]
        roots = [v.root(leaves[:n]) for n in range(41)]
        for n in range(1, 41):
            for i in range(n):
                v.verify_inclusion(i, n, leaves[i], v.inclusion_proof(i, leaves[:n]), roots[n])
            for m in range(1, n + 1):
                v.verify_consistency(m, n, v.consistency_proof(m, leaves[:n]), roots[m], roots[n])


class RejectionTest(unittest.TestCase):
    leaves = [v.leaf_hash(x) for x in CT_LEAVES]

    def rejects(self, call, *args):
        with self.assertRaises(v.VerifyError, msg=repr(args)):
            call(*args)

    def test_inclusion_proofs_that_must_fail(self):
        for index, size, path in CT_INCLUSION:
            proof, leaf, good_root = [h(x) for x in path], self.leaves[index], CT_ROOTS[size]
            for i in range(len(proof)):              # one hash flipped, one bit at a time
                for bit in (0, 7):
                    bad = proof[:i] + [flipped(proof[i], bit)] + proof[i + 1:]
                    self.rejects(v.verify_inclusion, index, size, leaf, bad, good_root)
            for other in range(size + 2):           # another index
                if other != index:
                    self.rejects(v.verify_inclusion, other, size, leaf, proof, good_root)
            # another size, against that size's root (for the leftmost leaves a path can have the same shape in
            # two sizes: what binds the size is the root of the checkpoint that carries it)
            for other in (size - 1, size + 1):
                if index < other <= 8:
                    self.rejects(v.verify_inclusion, index, other, leaf, proof, CT_ROOTS[other])
            for other in (0, 4 * size):              # no such tree, or a path too short for it
                self.rejects(v.verify_inclusion, index, other, leaf, proof, good_root)
            self.rejects(v.verify_inclusion, index, size, flipped(leaf), proof, good_root)
            self.rejects(v.verify_inclusion, index, size, leaf, proof, flipped(good_root))
            self.rejects(v.verify_inclusion, index, size, leaf, proof + [CT_ROOTS[1]], good_root)
            if proof:
                self.rejects(v.verify_inclusion, index, size, leaf, proof[:-1], good_root)
                if len(proof) > 1:
                    self.rejects(v.verify_inclusion, index, size, leaf, proof[::-1], good_root)
                self.rejects(v.verify_inclusion, index, size, leaf, [proof[0][:31]] + proof[1:], good_root)

    def test_leaf_as_proof_of_itself_is_not_an_inclusion(self):
        # a tree of one leaf whose root is the leaf: another index or size must not pass
        self.rejects(v.verify_inclusion, 0, 2, self.leaves[0], [], self.leaves[0])
        self.rejects(v.verify_inclusion, 1, 1, self.leaves[0], [], self.leaves[0])

    def test_consistency_proofs_that_must_fail(self):
        for first, second, path in CT_CONSISTENCY[1:]:
            proof, r1, r2 = [h(x) for x in path], CT_ROOTS[first], CT_ROOTS[second]
            for i in range(len(proof)):
                bad = proof[:i] + [flipped(proof[i])] + proof[i + 1:]
                self.rejects(v.verify_consistency, first, second, bad, r1, r2)
            self.rejects(v.verify_consistency, first, second, proof, flipped(r1), r2)
            self.rejects(v.verify_consistency, first, second, proof, r1, flipped(r2))
            self.rejects(v.verify_consistency, first, second, [], r1, r2)
            self.rejects(v.verify_consistency, first, second, proof[:-1], r1, r2)
            self.rejects(v.verify_consistency, first, second, proof + [r1], r1, r2)
            for other in (first + 1, first - 1):    # a wrong first size with that size's root
                if 0 < other < second and other != first:
                    self.rejects(v.verify_consistency, other, second, proof, CT_ROOTS[other], r2)
            for other in (second - 1, second + 1):  # a wrong second size
                if first < other <= 8:
                    self.rejects(v.verify_consistency, first, other, proof, r1, CT_ROOTS[other])
        self.rejects(v.verify_consistency, 0, 3, [], CT_ROOTS[0], CT_ROOTS[3])
        self.rejects(v.verify_consistency, 4, 3, [], CT_ROOTS[4], CT_ROOTS[3])
        self.rejects(v.verify_consistency, 3, 3, [CT_ROOTS[3]], CT_ROOTS[3], CT_ROOTS[3])
        self.rejects(v.verify_consistency, 3, 3, [], CT_ROOTS[3], flipped(CT_ROOTS[3]))

    def test_a_rewritten_history_is_not_consistent(self):
        rewritten = list(self.leaves)
        rewritten[2] = v.leaf_hash(b"something else")
        proof = v.consistency_proof(4, rewritten)
        self.rejects(v.verify_consistency, 4, 8, proof, CT_ROOTS[4], v.root(rewritten))


class EntryTest(unittest.TestCase):
    # an issuance entry for AZI-2026-000123 written out by hand from the layout in docs/transparency-log.md
    ISSUANCE = bytes.fromhex(
        "01" "01" "0f" + b"AZI-2026-000123".hex()
        + "11" * 32                      # document_sha256
        + "0000000069a5b2c0"             # issued_at 1772467904
        + "0000000069cd3fc0"             # valid_until 1775059904
        + "22" * 32)                     # signing_key_id
    REVOCATION_TAIL = bytes.fromhex("0000000069b00000" "01")   # revoked_at 1773142016, key_compromise

    def test_issuance_entry_decodes_field_by_field(self):
        self.assertEqual(len(self.ISSUANCE), 1 + 1 + 1 + 15 + 32 + 8 + 8 + 32)
        entry = v.decode_entry(self.ISSUANCE)
        self.assertEqual(entry, v.Entry(v.ISSUANCE, "AZI-2026-000123", b"\x11" * 32, 0x69a5b2c0, 0x69cd3fc0,
                                        b"\x22" * 32))
        self.assertEqual(v.encode_entry(entry), self.ISSUANCE)

    def test_revocation_entry_has_nine_bytes_more(self):
        data = b"\x01\x02" + self.ISSUANCE[2:] + self.REVOCATION_TAIL
        entry = v.decode_entry(data)
        self.assertEqual((entry.type, entry.revoked_at, entry.reason_code), (v.REVOCATION, 0x69b00000, 1))
        self.assertEqual(v.encode_entry(entry), data)

    def test_times_are_signed(self):
        data = self.ISSUANCE[:50] + struct.pack(">q", -1) + self.ISSUANCE[58:]
        self.assertEqual(v.decode_entry(data).issued_at, -1)

    def test_malformed_entries_are_rejected(self):
        revocation = b"\x01\x02" + self.ISSUANCE[2:] + self.REVOCATION_TAIL
        bad = {
            "trailing byte": self.ISSUANCE + b"\x00",
            "truncated": self.ISSUANCE[:-1],
            "empty": b"",
            "version 2": b"\x02" + self.ISSUANCE[1:],
            "type 3": b"\x01\x03" + self.ISSUANCE[2:],
            "issuance with revocation fields": self.ISSUANCE + self.REVOCATION_TAIL,
            "revocation without them": b"\x01\x02" + self.ISSUANCE[2:],
            "number length 0": b"\x01\x01\x00" + self.ISSUANCE[18:],
            "number length 33": b"\x01\x01\x21" + b"A" * 33 + self.ISSUANCE[18:],
            "number not ASCII": self.ISSUANCE[:3] + "AZİ-2026-00012".encode() + self.ISSUANCE[18:],
            "unknown reason": revocation[:-1] + b"\x02",
        }
        for what, data in bad.items():
            with self.subTest(what), self.assertRaises(v.VerifyError):
                v.decode_entry(data)


class NoteTest(unittest.TestCase):
    def test_go_note_opens_with_its_verifier_key(self):
        key = v.parse_verifier_key(GO_VERIFIER_KEY)
        self.assertEqual((key.name, key.key_id.hex()), ("PeterNeumann", "c74f20a3"))
        self.assertEqual(v.open_note(GO_NOTE, key), GO_TEXT)
        self.assertEqual(v.format_verifier_key(key.name, key.public_key), GO_VERIFIER_KEY)

    def test_go_note_changed_in_one_letter_is_rejected(self):
        key = v.parse_verifier_key(GO_VERIFIER_KEY)
        with self.assertRaises(v.VerifyError):
            v.open_note(GO_NOTE.replace("cryptography", "cryptographY"), key)

    def test_verifier_keys_that_must_be_refused(self):
        name, hash_hex, b64 = GO_VERIFIER_KEY.split("+")
        raw = base64.b64decode(b64)
        other_type = base64.b64encode(b"\x02" + raw[1:]).decode()
        bad = {
            "key hash of another name": f"PeterNeumanN+{hash_hex}+{b64}",
            "key hash changed": f"{name}+c74f20a4+{b64}",
            "key hash in capitals": f"{name}+{hash_hex.upper()}+{b64}",
            "key one byte short": f"{name}+{hash_hex}+{base64.b64encode(raw[:-1]).decode()}",
            "not Ed25519": f"{name}+{hash_hex}+{other_type}",
            "no key": f"{name}+{hash_hex}",
            "empty name": f"+{hash_hex}+{b64}",
            "not base64": f"{name}+{hash_hex}+{b64[:-1]}!",
        }
        for what, text in bad.items():
            with self.subTest(what), self.assertRaises(v.VerifyError):
                v.parse_verifier_key(text)


class CheckpointTest(unittest.TestCase):
    ORIGIN = "arayis.test/log"

    @classmethod
    def setUpClass(cls):
        cls.private = v.new_signing_key()
        cls.public = v.raw_public_key(cls.private)
        cls.key = v.parse_verifier_key(v.format_verifier_key(cls.ORIGIN, cls.public))
        cls.leaves = [v.leaf_hash(x) for x in CT_LEAVES]
        cls.text = f"{cls.ORIGIN}\n8\n{base64.b64encode(CT_ROOTS[8]).decode()}\n"
        cls.note = v.sign_note(cls.text, cls.ORIGIN, cls.private)

    def test_signed_checkpoint_verifies(self):
        self.assertTrue(self.note.startswith(self.text + "\n\u2014 " + self.ORIGIN + " "))
        checkpoint = v.verify_checkpoint(self.note, self.key)
        self.assertEqual(checkpoint, v.Checkpoint(self.ORIGIN, 8, CT_ROOTS[8]))

    def test_key_hash_is_the_first_four_bytes_of_the_signature(self):
        raw = base64.b64decode(self.note.rsplit(" ", 1)[1])
        self.assertEqual(len(raw), 4 + 64)
        self.assertEqual(raw[:4], hashlib.sha256(self.ORIGIN.encode() + b"\n\x01" + self.public).digest()[:4])

    def test_signature_of_an_unknown_key_is_ignored_beside_ours(self):
        stranger = v.sign_note(self.text, "witness.example/w1", v.new_signing_key())
        both = self.note + stranger[len(self.text) + 1:]
        self.assertEqual(v.verify_checkpoint(both, self.key).size, 8)

    def rejects(self, note, key=None):
        with self.assertRaises(v.VerifyError):
            v.verify_checkpoint(note, key or self.key)

    def test_checkpoints_that_must_be_rejected(self):
        other = v.new_signing_key()
        signature = self.note[len(self.text):]
        # signed by another key under our name: its key hash differs, so no signature of ours is left
        self.rejects(v.sign_note(self.text, self.ORIGIN, other))
        # signed by another key but labelled with our key hash: the signature itself fails
        forged = base64.b64decode(v.sign_note(self.text, self.ORIGIN, other).rsplit(" ", 1)[1])
        relabelled = self.key.key_id + forged[4:]
        self.rejects(f"{self.text}\n\u2014 {self.ORIGIN} {base64.b64encode(relabelled).decode()}\n")
        # the size line changed, the root line changed, the origin changed, a line added: the signature fails
        self.rejects(self.note.replace("\n8\n", "\n7\n", 1))
        self.rejects(self.text.replace("8\n", "9\n", 1) + signature)
        self.rejects(self.text.replace(base64.b64encode(CT_ROOTS[8]).decode(), base64.b64encode(CT_ROOTS[7]).decode())
                     + signature)
        self.rejects(self.text + "extension\n" + signature)
        # a note without signature, or whose signature line is cut
        self.rejects(self.text)
        self.rejects(self.note[:-10] + "\n")
        # a correctly signed text that is not a checkpoint, or whose origin is not the key name
        self.rejects(v.sign_note(f"{self.ORIGIN}\n08\n{base64.b64encode(CT_ROOTS[8]).decode()}\n", self.ORIGIN,
                                 self.private))
        self.rejects(v.sign_note(f"{self.ORIGIN}\n8\n{base64.b64encode(CT_ROOTS[8][:31]).decode()}\n", self.ORIGIN,
                                 self.private))
        self.rejects(v.sign_note(f"elsewhere.test/log\n8\n{base64.b64encode(CT_ROOTS[8]).decode()}\n", self.ORIGIN,
                                 self.private))
        # a verifier key of another log
        self.rejects(self.note, v.parse_verifier_key(v.format_verifier_key(self.ORIGIN, v.raw_public_key(other))))


if __name__ == "__main__":
    unittest.main()

"""An independent verifier of the transparency log (docs/transparency-log.md), written from RFC 9162 (Merkle tree,
inclusion and consistency proofs), the C2SP signed-note and tlog-checkpoint specifications and the entry layout of
docs/transparency-log.md; it shares no code with the service. Every check raises VerifyError naming what is wrong."""
import base64
import dataclasses
import hashlib
import struct

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

HASH_SIZE = 32
ENTRY_VERSION = 1
ISSUANCE, REVOCATION = 1, 2
MAX_NUMBER_LENGTH = 32
REASON_CODES = {"unspecified": 0, "key_compromise": 1, "superseded": 4, "cessation_of_operation": 5}
ED25519_TYPE = 0x01  # the signed-note signature type of Ed25519
MAX_NOTE_SIGNATURES = 16  # signed-note: a verifier must accept at least 16


class VerifyError(Exception):
    """A log, proof, entry, note or key that does not verify; the message names the problem."""


# --- RFC 9162 section 2.1: the Merkle tree -----------------------------------------------------------------------

def leaf_hash(entry):
    """HASH(0x00 || entry)."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left, right):
    """HASH(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n):
    """k, the largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def root(leaf_hashes):
    """MTH of the leaves whose hashes are given (RFC 9162 2.1.1); the empty tree's is HASH("")."""
    n = len(leaf_hashes)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaf_hashes[0]
    k = _split(n)
    return node_hash(root(leaf_hashes[:k]), root(leaf_hashes[k:]))


def inclusion_proof(index, leaf_hashes):
    """PATH(index, D[n]) of RFC 9162 2.1.3.1: the proof a log must give for leaf index of these leaves."""
    n = len(leaf_hashes)
    if not 0 <= index < n:
        raise ValueError(f"leaf {index} is not in a tree of {n}")
    if n == 1:
        return []
    k = _split(n)
    if index < k:
        return inclusion_proof(index, leaf_hashes[:k]) + [root(leaf_hashes[k:])]
    return inclusion_proof(index - k, leaf_hashes[k:]) + [root(leaf_hashes[:k])]


def consistency_proof(first, leaf_hashes):
    """PROOF(first, D[n]) of RFC 9162 2.1.4.1 (0 < first <= n; empty when first == n)."""
    if not 0 < first <= len(leaf_hashes):
        raise ValueError(f"no consistency proof from {first} to {len(leaf_hashes)}")

    def subproof(m, leaves, whole):
        n = len(leaves)
        if m == n:
            return [] if whole else [root(leaves)]
        k = _split(n)
        if m <= k:
            return subproof(m, leaves[:k], whole) + [root(leaves[k:])]
        return subproof(m - k, leaves[k:], False) + [root(leaves[:k])]

    return subproof(first, leaf_hashes, True)


def _check_hashes(hashes, what):
    for h in hashes:
        if not isinstance(h, bytes) or len(h) != HASH_SIZE:
            raise VerifyError(f"{what}: a hash is not {HASH_SIZE} bytes")


def root_from_inclusion_proof(index, size, leaf, proof):
    """The root that proof (RFC 9162 2.1.3.2) makes of leaf (its leaf hash) at index in a tree of size."""
    if not 0 <= index < size:
        raise VerifyError(f"inclusion proof: leaf index {index} is not below tree size {size}")
    _check_hashes([leaf] + list(proof), "inclusion proof")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise VerifyError(f"inclusion proof: {len(proof)} hashes are too many for leaf {index} of {size}")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn != 0 and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise VerifyError(f"inclusion proof: {len(proof)} hashes are too few for leaf {index} of {size}")
    return r


def verify_inclusion(index, size, leaf, proof, expected_root):
    """Raises VerifyError unless proof shows leaf (its leaf hash) at index in the tree of size with expected_root."""
    if root_from_inclusion_proof(index, size, leaf, proof) != expected_root:
        raise VerifyError(f"inclusion proof: leaf {index} of {size} does not lead to the root")


def verify_consistency(first, second, proof, first_root, second_root):
    """Raises VerifyError unless proof (RFC 9162 2.1.4.2) shows the tree of size first with first_root to be a prefix
    of the tree of size second with second_root. Equal sizes need an empty proof and equal roots."""
    if not 0 < first <= second:
        raise VerifyError(f"consistency proof: sizes {first} and {second} are not 0 < first <= second")
    _check_hashes([first_root, second_root] + list(proof), "consistency proof")
    if first == second:
        if proof:
            raise VerifyError("consistency proof: a proof between equal sizes must be empty")
        if first_root != second_root:
            raise VerifyError(f"consistency proof: two different roots for tree size {first}")
        return
    if not proof:
        raise VerifyError(f"consistency proof: empty between {first} and {second}")
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise VerifyError(f"consistency proof: {len(proof)} hashes are too many for {first} to {second}")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn != 0 and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise VerifyError(f"consistency proof: {len(proof)} hashes are too few for {first} to {second}")
    if fr != first_root:
        raise VerifyError(f"consistency proof: does not lead to the root of tree size {first}")
    if sr != second_root:
        raise VerifyError(f"consistency proof: does not lead to the root of tree size {second}")


# --- the entry (docs/transparency-log.md, "Entry encoding") ------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Entry:
    type: int
    number: str
    document_sha256: bytes
    issued_at: int
    valid_until: int
    signing_key_id: bytes
    revoked_at: int = None     # revocation entries only
    reason_code: int = None    # revocation entries only


_FIXED = struct.Struct(">32sqq32s")   # document_sha256, issued_at, valid_until, signing_key_id
_REVOCATION = struct.Struct(">qB")   # revoked_at, reason_code


def encode_entry(entry):
    """The canonical bytes of entry."""
    number = entry.number.encode("ascii")
    out = struct.pack(">BBB", ENTRY_VERSION, entry.type, len(number)) + number
    out += _FIXED.pack(entry.document_sha256, entry.issued_at, entry.valid_until, entry.signing_key_id)
    if entry.type == REVOCATION:
        out += _REVOCATION.pack(entry.revoked_at, entry.reason_code)
    return out


def decode_entry(data):
    """The Entry that data encodes; VerifyError unless data is exactly one well-formed entry."""
    if len(data) < 3:
        raise VerifyError(f"entry: {len(data)} bytes are too few")
    version, kind, n = data[0], data[1], data[2]
    if version != ENTRY_VERSION:
        raise VerifyError(f"entry: version {version}, not {ENTRY_VERSION}")
    if kind not in (ISSUANCE, REVOCATION):
        raise VerifyError(f"entry: unknown type {kind}")
    if not 1 <= n <= MAX_NUMBER_LENGTH:
        raise VerifyError(f"entry: number length {n} is not 1..{MAX_NUMBER_LENGTH}")
    want = 3 + n + _FIXED.size + (_REVOCATION.size if kind == REVOCATION else 0)
    if len(data) != want:
        raise VerifyError(f"entry: {len(data)} bytes where a type {kind} entry with this number has {want}")
    raw_number = data[3:3 + n]
    if any(b < 0x21 or b > 0x7e for b in raw_number):
        raise VerifyError("entry: the number is not printable ASCII")
    sha, issued, valid, key_id = _FIXED.unpack_from(data, 3 + n)
    revoked_at = reason = None
    if kind == REVOCATION:
        revoked_at, reason = _REVOCATION.unpack_from(data, 3 + n + _FIXED.size)
        if reason not in REASON_CODES.values():
            raise VerifyError(f"entry: unknown reason code {reason}")
    return Entry(kind, raw_number.decode("ascii"), sha, issued, valid, key_id, revoked_at, reason)


# --- C2SP signed-note with Ed25519, verifier keys and checkpoints --------------------------------------------------

def strict_b64decode(text):
    """Standard base64 (RFC 4648 section 4) in its canonical form only; VerifyError otherwise."""
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError as e:
        raise VerifyError(f"not standard base64: {e}") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise VerifyError("base64 that is not in its canonical form")
    return raw


def key_hash(name, public_key):
    """The 4-byte key ID of signed-note: SHA-256(name || 0x0A || 0x01 || public key)[:4]."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([ED25519_TYPE]) + public_key).digest()[:4]


def _check_key_name(name):
    if not name or "+" in name or any(ch.isspace() for ch in name):
        raise VerifyError(f"key name {name!r}: empty, or with a space or '+'")


@dataclasses.dataclass(frozen=True)
class VerifierKey:
    name: str
    key_id: bytes      # 4 bytes
    public_key: bytes  # 32 bytes, Ed25519


def parse_verifier_key(text):
    """The VerifierKey of `<name>+<key hash, 8 hex digits>+<base64(0x01 || public key)>`; VerifyError when it is
    malformed, not Ed25519, or its key hash is not the one its name and key give."""
    name, sep1, rest = text.partition("+")
    hex_id, sep2, b64 = rest.partition("+")
    if not sep1 or not sep2:
        raise VerifyError(f"verifier key {text!r} is not name+hash+key")
    _check_key_name(name)
    if len(hex_id) != 8 or any(c not in "0123456789abcdef" for c in hex_id):
        raise VerifyError(f"verifier key: key hash {hex_id!r} is not 8 lower-case hex digits")
    raw = strict_b64decode(b64)
    if len(raw) != 33 or raw[0] != ED25519_TYPE:
        raise VerifyError("verifier key: not an Ed25519 key (type 0x01 and 32 bytes)")
    key = VerifierKey(name, bytes.fromhex(hex_id), raw[1:])
    if key_hash(name, key.public_key) != key.key_id:
        raise VerifyError(f"verifier key: key hash {hex_id} is not the hash of its name and key")
    return key


def format_verifier_key(name, public_key):
    """The verifier key string of an Ed25519 public key (32 bytes) under name."""
    return f"{name}+{key_hash(name, public_key).hex()}+{base64.b64encode(bytes([ED25519_TYPE]) + public_key).decode()}"


def raw_public_key(private_key):
    """The 32 bytes of the Ed25519 public key of private_key (an Ed25519PrivateKey)."""
    return private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def sign_note(text, name, private_key):
    """The signed note of text (a str ending in a newline) with one Ed25519 signature by private_key (an
    Ed25519PrivateKey) under key name."""
    signature = key_hash(name, raw_public_key(private_key)) + private_key.sign(text.encode("utf-8"))
    return f"{text}\n\u2014 {name} {base64.b64encode(signature).decode()}\n"


def open_note(note, key):
    """The text of note (str) when a signature of key (a VerifierKey) on it verifies. Signatures of other keys are
    ignored, as signed-note requires; a signature of key that does not verify, or none at all, is a VerifyError."""
    if any(ord(ch) < 0x20 and ch != "\n" for ch in note):
        raise VerifyError("note: a control character other than newline")
    if not note.endswith("\n"):
        raise VerifyError("note: does not end in a newline")
    cut = note.rfind("\n\n")
    if cut < 0:
        raise VerifyError("note: no blank line before the signatures")
    text, lines = note[:cut + 1], note[cut + 2:-1].split("\n")
    if len(lines) > MAX_NOTE_SIGNATURES:
        raise VerifyError(f"note: more than {MAX_NOTE_SIGNATURES} signatures")
    verified = False
    for line in lines:
        if not line.startswith("\u2014 "):
            raise VerifyError(f"note: {line!r} is not a signature line")
        name, sep, b64 = line[2:].partition(" ")
        if not sep:
            raise VerifyError(f"note: {line!r} is not a signature line")
        _check_key_name(name)
        raw = strict_b64decode(b64)
        if len(raw) < 5:
            raise VerifyError("note: a signature shorter than its key ID")
        if name != key.name or raw[:4] != key.key_id:
            continue  # an unknown key's signature
        try:
            Ed25519PublicKey.from_public_bytes(key.public_key).verify(raw[4:], text.encode("utf-8"))
        except InvalidSignature:
            raise VerifyError(f"note: the signature of {name} does not verify") from None
        verified = True
    if not verified:
        raise VerifyError(f"note: no signature of {key.name}+{key.key_id.hex()}")
    return text


@dataclasses.dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes


def parse_checkpoint_text(text):
    """The Checkpoint of a note text of exactly three lines: origin, tree size, root hash (base64)."""
    lines = text.split("\n")
    if len(lines) != 4 or lines[3] != "":
        raise VerifyError(f"checkpoint: {len(lines) - 1} lines, not origin, size and root")
    origin, size, b64 = lines[:3]
    if not origin:
        raise VerifyError("checkpoint: empty origin")
    if not size.isascii() or not size.isdigit() or (size != "0" and size.startswith("0")):
        raise VerifyError(f"checkpoint: tree size {size!r} is not a decimal without leading zeros")
    digest = strict_b64decode(b64)
    if len(digest) != HASH_SIZE:
        raise VerifyError(f"checkpoint: the root hash has {len(digest)} bytes")
    return Checkpoint(origin, int(size), digest)


def verify_checkpoint(note, key):
    """The Checkpoint of note (str) when it carries a valid signature of key and its origin is the key's name."""
    checkpoint = parse_checkpoint_text(open_note(note, key))
    if checkpoint.origin != key.name:
        raise VerifyError(f"checkpoint: origin {checkpoint.origin!r} is not the key name {key.name!r}")
    return checkpoint


def new_signing_key():
    """A fresh Ed25519PrivateKey (for notes signed by a key that is not the log's)."""
    return Ed25519PrivateKey.generate()

"""A local RFC 3161 timestamping authority for tests: its own CA, TSA key and certificate (naming an OCSP responder
in its AIA when asked to) made with the openssl command, and an HTTP wrapper on a free loopback port that answers
each query with `openssl ts -reply`. It can misbehave on purpose: HTTP errors, a refusal, a wrong nonce, a wrong
imprint, a token from an untrusted TSA, delays; or give larger tokens than before (grown: the token carries two
more certificates beside the TSA's CA, as a TSA that sends its whole bag of certificates, asked or not, does), or
sign with a renewed TSA certificate from the same CA (renewed), or name its CA beside its own certificate in the
signed signing-certificate attribute (chain_ids)."""
import os
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import der

# The `openssl ts` configuration: one section per way the TSA answers (its certificate and key, the certificates it
# sends, the digests it accepts, whether the signing-certificate attribute names the whole chain).
SECTIONS = {
    "good": {"signer": "tsa", "certs": "ca.crt", "digests": "sha256, sha384, sha512", "chain": "no"},
    "grown": {"signer": "tsa", "certs": "grown.pem", "digests": "sha256", "chain": "no"},
    "renewed": {"signer": "tsa2", "certs": "ca.crt", "digests": "sha256", "chain": "no"},
    "chain_ids": {"signer": "tsa", "certs": "ca.crt", "digests": "sha256", "chain": "yes"},
    "refusing": {"signer": "tsa", "certs": None, "digests": "sha1", "chain": None},
    "untrusted": {"signer": "rogue", "certs": None, "digests": "sha256", "chain": None},
}


def config(dir):
    """The configuration text for the TSA in dir."""
    lines = ["[ tsa ]", "default_tsa = good", ""]
    for name, s in SECTIONS.items():
        lines += [f"[ {name} ]", f"dir = {dir}", f"serial = {dir}/serial", "crypto_device = builtin",
                  f"signer_cert = {dir}/{s['signer']}.crt"]
        if s["certs"]:
            lines.append(f"certs = {dir}/{s['certs']}")
        lines += [f"signer_key = {dir}/{s['signer']}.key", "signer_digest = sha256", "default_policy = 1.2.3.4.1",
                  f"digests = {s['digests']}"]
        if s["chain"]:
            lines += ["accuracy = secs:1", "ordering = no", "tsa_name = no", f"ess_cert_id_chain = {s['chain']}"]
        lines += ["ess_cert_id_alg = sha256", ""]
    return "\n".join(lines)


def openssl(*args, cwd=None, input_bytes=None):
    proc = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, input=input_bytes, timeout=60)
    if proc.returncode != 0:
        raise AssertionError(f"openssl {' '.join(args)} failed: {proc.stderr.decode(errors='replace')}")
    return proc.stdout


def make_ca(dir, name, subject):
    """A self-signed EC P-256 CA: dir/name.key, dir/name.crt."""
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
            f"{name}.key", "-out", f"{name}.crt", "-subj", subject, "-days", "3650", "-addext",
            "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=dir)


def make_leaf(dir, name, subject, ca, extensions):
    """An EC P-256 key dir/name.key with a certificate dir/name.crt issued by the CA dir/ca.{key,crt}."""
    with open(os.path.join(dir, f"{name}.ext"), "w") as f:
        f.write(extensions)
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
            f"{name}.key", "-out", f"{name}.csr", "-subj", subject, cwd=dir)
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.crt", "-CAkey", f"{ca}.key", "-set_serial",
            str(int.from_bytes(os.urandom(8), "big")), "-out", f"{name}.crt", "-days", "3650", "-extfile",
            f"{name}.ext", cwd=dir)


TSA_EXTENSIONS = ("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                  "extendedKeyUsage=critical,timeStamping\n")


def query_parts(query):
    """The hashedMessage and nonce items of a DER TimeStampReq."""
    fields = der.parse(query).children()
    imprint = fields[1].children()[1]
    nonce = [f for f in fields[2:] if f.tag == 0x02][0]
    return imprint, nonce


def asking_for_certificates(query):
    """The DER TimeStampReq query with certReq TRUE (our requests carry no extensions, so it comes last)."""
    fields = [f for f in der.parse(query).children() if f.tag != 0x01]
    body = b"".join(f.raw for f in fields) + b"\x01\x01\xff"
    length = len(body).to_bytes((len(body).bit_length() + 7) // 8, "big")
    head = bytes([len(body)]) if len(body) < 0x80 else bytes([0x80 | len(length)]) + length
    return b"\x30" + head + body


def flip_last_byte(data, item):
    out = bytearray(data)
    out[item.end - 1] ^= 0x01
    return bytes(out)


class Tsa:
    """Serves POST / on a free loopback port. mode (changeable at any time) is one of good, http_error, refusing,
    wrong_nonce, wrong_imprint, untrusted, grown, renewed, chain_ids; delay_s is slept before each answer."""

    def __init__(self, mode="good", ocsp_url=None):
        self.dir = tempfile.mkdtemp(prefix="arayis-tsa-")
        make_ca(self.dir, "ca", "/CN=Test TSA Root/O=Tests")
        aia = f"authorityInfoAccess=OCSP;URI:{ocsp_url}\n" if ocsp_url else ""
        make_leaf(self.dir, "tsa", "/CN=Test TSA/O=Tests", "ca", TSA_EXTENSIONS + aia)
        make_leaf(self.dir, "tsa2", "/CN=Test TSA 2/O=Tests", "ca", TSA_EXTENSIONS + aia)
        make_ca(self.dir, "rogueca", "/CN=Rogue TSA Root/O=Elsewhere")
        make_leaf(self.dir, "rogue", "/CN=Rogue TSA/O=Elsewhere", "rogueca", TSA_EXTENSIONS)
        make_ca(self.dir, "extra1", "/CN=Test TSA Extra One/O=Tests")
        make_ca(self.dir, "extra2", "/CN=Test TSA Extra Two/O=Tests")
        with open(os.path.join(self.dir, "grown.pem"), "w") as out:
            for name in ("ca", "extra1", "extra2"):
                with open(os.path.join(self.dir, f"{name}.crt")) as f:
                    out.write(f.read())
        with open(os.path.join(self.dir, "serial"), "w") as f:
            f.write("01\n")
        self.config = os.path.join(self.dir, "tsa.cnf")
        with open(self.config, "w") as f:
            f.write(config(self.dir))
        self.ca_file = os.path.join(self.dir, "ca.crt")
        self.mode, self.delay_s = mode, 0
        self.queries = []
        self.lock = threading.Lock()   # openssl ts -reply keeps its serial number in a file
        tsa = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keeps connections open, as a real TSA does

            def do_POST(self):
                query = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                tsa.queries.append((dict(self.headers), query))
                status, body = tsa.answer(query)
                if tsa.delay_s:
                    time.sleep(tsa.delay_s)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/timestamp-reply")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/tsa"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def reply(self, query, section):
        with self.lock, tempfile.NamedTemporaryFile(dir=self.dir, suffix=".tsq") as q:
            q.write(query)
            q.flush()
            return openssl("ts", "-reply", "-config", self.config, "-section", section, "-queryfile", q.name)

    def answer(self, query):
        if self.mode == "http_error":
            return 500, b"internal error"
        imprint, nonce = query_parts(query)
        if self.mode == "wrong_nonce":
            return 200, self.reply(flip_last_byte(query, nonce), "good")
        if self.mode == "wrong_imprint":
            return 200, self.reply(flip_last_byte(query, imprint), "good")
        if self.mode == "grown":
            return 200, self.reply(asking_for_certificates(query), "grown")
        if self.mode in ("refusing", "untrusted", "renewed", "chain_ids"):
            return 200, self.reply(query, self.mode)
        return 200, self.reply(query, "good")

    def close(self):
        self.server.shutdown()
        self.server.server_close()

"""PKCS#11 signing against a real SoftHSM2 token made in a scratch directory: keys made in the token by arayis,
the request / certificate / install workflow, PDFs checked by pdfsig and openssl cms, 64 parallel issues, start-up
errors, a token that vanishes under load and comes back, and rotation between a key file and a token key."""
import concurrent.futures
import glob
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

import pdfcheck
from harness import Service, run_cli

MODULES = glob.glob("/usr/lib/softhsm/libsofthsm2.so") + glob.glob("/usr/lib/*/softhsm/libsofthsm2.so")
USER_PIN, SO_PIN = "4711", "87654321"
APPLICATION = {"subscriber_type": "residential", "subscriber_code": "1234567890",
               "applicant": {"fin": "5ABC7D9", "last_name": "Məmmədov", "first_name": "Əli", "birth_date": "1985-04-12"},
               "contact": {"mobile": "+994501234567"}}


class Token:
    """A SoftHSM2 token store of its own: SOFTHSM2_CONF points at a scratch directory."""

    def __init__(self, root, label="arayis"):
        self.dir = os.path.join(root, "tokens")
        os.makedirs(self.dir)
        self.conf = os.path.join(root, "softhsm2.conf")
        with open(self.conf, "w") as f:
            f.write(f"directories.tokendir = {self.dir}\nobjectstore.backend = file\nlog.level = ERROR\n")
        self.label = label
        subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", SO_PIN,
                        "--pin", USER_PIN], env=dict(os.environ, SOFTHSM2_CONF=self.conf), check=True,
                       capture_output=True)

    def uri(self, obj):
        return f"pkcs11:token={self.label};object={obj};type=private"

    def env(self, obj, pin=USER_PIN):
        return {"SOFTHSM2_CONF": self.conf, "ARAYIS_PKCS11_MODULE": MODULES[0], "ARAYIS_PKCS11_PIN": pin,
                "ARAYIS_SIGNING_KEY": self.uri(obj)}


def signature_der(pdf):
    """The CMS of a signed PDF's last signature, and the bytes it covers."""
    start = pdf.rindex(b"/ByteRange [") + len(b"/ByteRange [")
    a, b, c, d = map(int, pdf[start:pdf.index(b"]", start)].split())
    raw = bytes.fromhex(pdf[b + 1:c - 1].decode())
    # DER SEQUENCE with a long-form length: the placeholder's zero padding follows it
    n = raw[1] & 0x7f
    length = 2 + n + int.from_bytes(raw[2:2 + n], "big")
    return raw[:length], pdf[a:a + b] + pdf[c:c + d]


@unittest.skipUnless(MODULES and shutil.which("softhsm2-util"), "SoftHSM2 is not installed (scripts/deps.sh --test)")
class Pkcs11Test(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="arayis-pkcs11-")
        self.token = Token(os.path.join(self.tmp, "hsm"))
        self.services = []

    def tearDown(self):
        for svc in self.services:
            svc.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def service(self, extra_env=None, start=True):
        """A service in the test's one work directory (kept across restarts), with rate limits out of the way."""
        os.makedirs(os.path.join(self.tmp, "svc"), exist_ok=True)
        env = {"ARAYIS_RATE_API": "100000", "ARAYIS_RATE_API_BURST": "100000"}
        env.update(extra_env or {})
        svc = Service(env, workdir=os.path.join(self.tmp, "svc"))
        self.services.append(svc)
        return svc.start() if start else svc

    def enrol(self, svc, obj, kind="ec"):
        """The whole workflow in the token: key pair, request, certificate from the development CA, install."""
        env = dict(svc.env, **self.token.env(obj))
        out = run_cli(["keygen", "--pkcs11", self.token.uri(obj), "--key", kind], env)
        self.assertIn("key pair in the token", out.stdout)
        csr, crt = os.path.join(self.tmp, f"{obj}.csr"), os.path.join(self.tmp, f"{obj}.crt")
        run_cli(["csr", "--out", csr], env)
        check = subprocess.run(["openssl", "req", "-in", csr, "-noout", "-verify", "-subject", "-nameopt", "utf8"],
                               capture_output=True, text=True)
        self.assertEqual(check.returncode, 0, check.stderr)
        self.assertIn("subject=C=AZ, O=“Azərişıq” ASC, CN=arayis document signing", check.stdout)
        run_cli(["keygen", "--sign-csr", csr, "--out", crt], env)
        out = run_cli(["keys", "install-cert", crt], env)
        self.assertIn("installed", out.stdout)
        return env, crt

    def keys(self, svc):
        return os.path.join(svc.dir, "keys")

    def issue(self, svc, portal):
        return svc.json("POST", "/api/v1/applications", APPLICATION, key=portal)

    def check_pdf(self, svc, cert, expected_signer=None):
        status, _, pdf = svc.request("GET", f'/c/{cert["number"]}.pdf?code={cert["verification_code"]}')
        self.assertEqual(status, 200)
        path = os.path.join(self.tmp, cert["number"] + ".pdf")
        with open(path, "wb") as f:
            f.write(pdf)
        self.assertTrue(pdfcheck.signature_valid(path), pdfcheck.pdfsig(path))
        der, content = signature_der(pdf)
        sig, signed = os.path.join(self.tmp, "sig.der"), os.path.join(self.tmp, "signed.bin")
        with open(sig, "wb") as f:
            f.write(der)
        with open(signed, "wb") as f:
            f.write(content)
        proc = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", sig, "-content", signed,
                               "-CAfile", os.path.join(self.keys(svc), "ca.crt"), "-purpose", "any", "-out", os.devnull,
                               "-signer", os.path.join(self.tmp, "signer.pem")], capture_output=True)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        if expected_signer:
            got = subprocess.run(["openssl", "x509", "-in", os.path.join(self.tmp, "signer.pem"), "-noout", "-fingerprint",
                                  "-sha256"], capture_output=True, text=True).stdout
            want = subprocess.run(["openssl", "x509", "-in", expected_signer, "-noout", "-fingerprint", "-sha256"],
                                  capture_output=True, text=True).stdout
            self.assertEqual(got, want)
        status, body = svc.json("POST", "/api/v1/verify/pdf", pdf, content_type="application/pdf")
        self.assertEqual((status, body["signature_valid"], body["registered"], body["status"]), (200, True, True, "valid"))

    def prepare(self, svc):
        portal, billing = svc.create_key(f"portal-{time.time()}", "portal"), svc.create_key(f"billing-{time.time()}", "billing")
        status, _ = svc.json("PUT", "/api/v1/billing/subscribers/1234567890", {
            "subscriber_type": "residential", "owner_fin": "5ABC7D9", "holder_name": "Məmmədov Əli Şükür oğlu",
            "address": "Bakı", "debt_amount": "0.00", "as_of": "2026-11-25T09:00:00Z"}, key=billing)
        self.assertIn(status, (200, 201))
        return portal

    def token_service(self, obj, kind="ec"):
        """A service whose key is made in the token; the key file of development is removed first."""
        setup = self.service(start=False)
        run_cli(["keygen"], setup.env)  # the development CA that stands in for the certification centre
        env, crt = self.enrol(setup, obj, kind)
        os.unlink(os.path.join(self.keys(setup), "signing.key"))
        svc = self.service(self.token.env(obj))
        self.assertFalse(os.path.exists(os.path.join(self.keys(svc), "signing.key")))
        return svc, crt

    def test_ec_and_rsa_token_keys_sign_valid_pdfs(self):
        for kind in ("ec", "rsa"):
            with self.subTest(kind=kind):
                svc, crt = self.token_service(f"signing-{kind}", kind)
                started = svc.log_events("signing_key")[0]
                self.assertEqual((started["store"], started["kind"]), ("pkcs11", kind))
                portal = self.prepare(svc)
                status, got = self.issue(svc, portal)
                self.assertEqual(status, 201, got)
                self.check_pdf(svc, got["certificate"], expected_signer=crt)
                for s in self.services:
                    s.close()
                self.services = []
                shutil.rmtree(os.path.join(self.tmp, "svc"))

    def test_64_concurrent_issues(self):
        svc, _ = self.token_service("signing-load")
        portal = self.prepare(svc)
        with concurrent.futures.ThreadPoolExecutor(64) as pool:
            answers = list(pool.map(lambda _: self.issue(svc, portal), range(64)))
        self.assertEqual([s for s, _ in answers], [201] * 64, [b for s, b in answers if s != 201][:3])
        numbers = {b["certificate"]["number"] for _, b in answers}
        self.assertEqual(len(numbers), 64)
        for _, body in answers[:: 16]:
            self.check_pdf(svc, body["certificate"])

    def serve_fails(self, env):
        proc = subprocess.run([os.environ.get("ARAYIS_BIN", "arayis"), "serve"], env=env, capture_output=True,
                              timeout=60, text=True)
        self.assertNotEqual(proc.returncode, 0)
        return proc.stderr

    def test_start_errors_are_clear(self):
        svc, _ = self.token_service("signing-start")
        svc.stop()
        env = dict(svc.env)
        self.assertIn("the token refused the PIN", self.serve_fails(dict(env, ARAYIS_PKCS11_PIN="0000")))
        missing = dict(env, ARAYIS_SIGNING_KEY="pkcs11:token=nosuch;object=signing-start;type=private")
        self.assertIn("no token of the signing key URI is present", self.serve_fails(missing))
        run_cli(["keygen", "--pkcs11", self.token.uri("uncertified")], env)
        self.assertIn("the token key has no certificate", self.serve_fails(dict(
            env, ARAYIS_SIGNING_KEY=self.token.uri("uncertified"), ARAYIS_KEYS_DIR=os.path.join(self.tmp, "empty"))))
        pin_file = os.path.join(self.tmp, "pin")
        with open(pin_file, "w") as f:
            f.write(USER_PIN + "\n")
        os.chmod(pin_file, 0o644)
        by_file = dict(env, ARAYIS_PKCS11_PIN="",
                       ARAYIS_SIGNING_KEY=self.token.uri("signing-start") + f"?pin-source=file:{pin_file}")
        self.assertIn("mode 0600", self.serve_fails(by_file))
        os.chmod(pin_file, 0o600)
        svc.env = by_file
        svc.start()  # the same PIN from a private file is accepted
        self.assertEqual(svc.json("GET", "/healthz")[0], 200)

    def test_token_vanishes_under_load_and_recovers(self):
        svc, _ = self.token_service("signing-outage")
        portal = self.prepare(svc)
        status, first = self.issue(svc, portal)
        self.assertEqual(status, 201, first)
        statuses, stop = [], threading.Event()

        def load():
            while not stop.is_set():
                statuses.append(self.issue(svc, portal)[0])

        workers = [threading.Thread(target=load) for _ in range(4)]
        for w in workers:
            w.start()
        time.sleep(0.5)
        away = self.token.dir + ".away"
        os.rename(self.token.dir, away)  # the token is gone: the module no longer finds its objects
        time.sleep(1.5)
        during = len(statuses)
        status, body = self.issue(svc, portal)
        self.assertEqual((status, body["error"]["code"]), (503, "unavailable"))
        cert = first["certificate"]
        status, verdict = svc.json("GET", f'/v/{cert["number"]}?code={cert["verification_code"]}',
                                   headers={"Accept": "application/json"})
        self.assertEqual((status, verdict["status"]), (200, "valid"))
        os.rename(away, self.token.dir)
        back = time.time()
        deadline = back + 10
        while time.time() < deadline and self.issue(svc, portal)[0] != 201:
            time.sleep(0.1)
        recovered = time.time() - back
        time.sleep(0.5)
        stop.set()
        for w in workers:
            w.join(30)
        self.assertLess(recovered, 5, "signing did not resume by itself")
        self.assertIn(503, statuses[:during + 1] + statuses)
        self.assertEqual(statuses[-1], 201)
        # an issue already numbered when the token vanished fails (its number is voided): at most one per client
        self.assertLessEqual(statuses.count(500), len(workers) + 1, statuses)
        self.assertTrue(set(statuses) <= {201, 500, 503}, set(statuses))
        print(f"\ntoken outage: {statuses.count(503)} answers 503, {statuses.count(500)} voided in flight, "
              f"{statuses.count(201)} issued; signing resumed {recovered:.2f} s after the token came back")

    def test_rotation_file_to_token_and_back(self):
        svc = self.service()
        portal = self.prepare(svc)
        status, a = self.issue(svc, portal)
        self.assertEqual(status, 201, a)
        file_cert = os.path.join(self.tmp, "file.crt")
        shutil.copy(os.path.join(self.keys(svc), "signing.crt"), file_cert)
        svc.stop()
        env, token_cert = self.enrol(svc, "signing-rotated")
        svc = self.service(self.token.env("signing-rotated"))
        status, b = self.issue(svc, portal)
        self.assertEqual(status, 201, b)
        self.check_pdf(svc, a["certificate"], expected_signer=file_cert)
        self.check_pdf(svc, b["certificate"], expected_signer=token_cert)
        status, keys = svc.json("GET", "/api/v1/keys")
        self.assertEqual(sorted(k["current"] for k in keys["keys"]), [False, True])
        svc.stop()
        # and back to the key file: its certificate is installed again, the token's retires
        file_env = dict(svc.env, ARAYIS_SIGNING_KEY="")
        run_cli(["keys", "install-cert", file_cert], file_env)
        svc = self.service({"ARAYIS_SIGNING_KEY": ""})
        status, c = self.issue(svc, portal)
        self.assertEqual(status, 201, c)
        for cert, signer in ((a, file_cert), (b, token_cert), (c, file_cert)):
            self.check_pdf(svc, cert["certificate"], expected_signer=signer)
        status, keys = svc.json("GET", "/api/v1/keys")
        self.assertEqual(len(keys["keys"]), 2)
        current = [k for k in keys["keys"] if k["current"]][0]
        with open(file_cert) as f:
            self.assertEqual(current["pem"].strip(), f.read().strip())

    def test_install_cert_refuses_a_certificate_of_another_key(self):
        setup = self.service(start=False)
        run_cli(["keygen"], setup.env)
        file_cert = os.path.join(self.tmp, "file.crt")
        shutil.copy(os.path.join(self.keys(setup), "signing.crt"), file_cert)
        env = dict(setup.env, **self.token.env("other"))
        run_cli(["keygen", "--pkcs11", self.token.uri("other")], env)
        out = run_cli(["keys", "install-cert", file_cert], env, check=False)
        self.assertEqual(out.returncode, 1)
        self.assertIn("not for the signing key", out.stderr)
        ca = os.path.join(self.keys(setup), "ca.crt")
        out = run_cli(["keys", "install-cert", ca], env, check=False)
        self.assertEqual(out.returncode, 1)
        out = run_cli(["keygen", "--pkcs11", self.token.uri("other")], env, check=False)
        self.assertIn("already holds a private key", out.stderr)


if __name__ == "__main__":
    unittest.main()

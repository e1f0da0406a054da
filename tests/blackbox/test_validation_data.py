"""Black-box tests of PAdES B-LT: the service keeps the chains of its signer and of the TSA with OCSP answers from
real responders (openssl ocsp on loopback, one for the development CA and one for the TSA's CA named in the TSA
certificate's AIA) and writes them into a DSS; qpdf, openssl ocsp and pdfsig read the result."""
import json
import os
import re
import subprocess
import tempfile
import time
import unittest

import pdfcheck
from harness import Service, wait_until
from ocsp_responder import OcspResponder, free_port
from tsa import Tsa


def application(reference):
    return {"subscriber_type": "residential", "subscriber_code": "1234567890", "portal_reference": reference,
            "applicant": {"fin": "5ABC7D9", "last_name": "Məmmədov", "first_name": "Əli", "birth_date": "1985-04-12"},
            "contact": {"mobile": "050 123 45 67"}}


def der_of(pem_file):
    return subprocess.run(["openssl", "x509", "-in", pem_file, "-outform", "DER"], capture_output=True,
                          check=True).stdout


def qpdf(*args):
    return subprocess.run(["qpdf", *args], capture_output=True, check=True).stdout


class ValidationDataTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        tsa_port = free_port()
        cls.tsa = Tsa(ocsp_url=f"http://127.0.0.1:{tsa_port}/")
        cls.tsa_cert = os.path.join(cls.tsa.dir, "tsa.crt")
        cls.tsa_ocsp = OcspResponder(cls.tsa.ca_file, os.path.join(cls.tsa.dir, "ca.key"), next_minutes=10,
                                     port=tsa_port)
        cls.tsa_ocsp.set_good(cls.tsa_cert)
        cls.tsa_ocsp.start()
        cls.tmp = tempfile.mkdtemp(prefix="arayis-lt-")

    @classmethod
    def tearDownClass(cls):
        cls.tsa_ocsp.stop()
        cls.tsa.close()

    def start(self, responder=True, **env):
        settings = {"ARAYIS_TSA_URL": self.tsa.url, "ARAYIS_TSA_CA": self.tsa.ca_file,
                    "ARAYIS_TSA_TIMEOUT_MS": "2000", "ARAYIS_OCSP_TIMEOUT_MS": "1000"}
        settings.update(env)
        svc = Service(settings)
        self.addCleanup(svc.close)
        keys = svc.env["ARAYIS_KEYS_DIR"]
        ocsp = OcspResponder(os.path.join(keys, "ca.crt"), os.path.join(keys, "ca.key"), next_minutes=10)
        svc.env["ARAYIS_OCSP_URL"] = ocsp.url if responder else f"http://127.0.0.1:{free_port()}/"
        svc.start()
        if responder:
            ocsp.set_good(os.path.join(keys, "signing.crt"))
            ocsp.start()
            self.addCleanup(ocsp.stop)
        svc.key = svc.create_key("egov", "portal")
        svc.cli("billing", "import", os.path.join(os.environ["ARAYIS_SHARE_DIR"], "demo", "billing.csv"))
        return svc, ocsp

    def issue(self, svc, reference):
        status, got = svc.json("POST", "/api/v1/applications", application(reference), key=svc.key)
        self.assertEqual(status, 201, got)
        cert = self.certificate = got["certificate"]
        status, _, pdf = svc.request("GET", f'/c/{cert["number"]}.pdf?code={cert["verification_code"]}')
        self.assertEqual(status, 200)
        path = os.path.join(self.tmp, f"{reference}.pdf")
        with open(path, "wb") as f:
            f.write(pdf)
        return path, pdf

    def dss_streams(self, path, key):
        catalog = qpdf("--show-object=1", path).decode()
        refs = re.search(rf"/DSS << .*?/{key} \[ ((?:\d+ 0 R ?)+)\]", catalog)
        self.assertIsNotNone(refs, catalog)
        numbers = re.findall(r"(\d+) 0 R", refs.group(1))
        return [qpdf(f"--show-object={n}", "--filtered-stream-data", path) for n in numbers]

    def test_dss_holds_both_chains_and_good_ocsp_answers(self):
        svc, ocsp = self.start()
        self.assertTrue(wait_until(lambda: svc.log_events("validation_data"), timeout=15), svc.log_lines[-5:])
        path, pdf = self.issue(svc, "lt-1")
        # recorded and shown as B-LT
        self.assertEqual(self.certificate["signature_level"], "B-LT")
        status, _, page = svc.request("GET", f'/v/{self.certificate["number"]}?code={self.certificate["verification_code"]}')
        self.assertEqual(status, 200)
        self.assertIn("B-LT", page.decode())
        self.assertIn(b"No syntax or stream encoding errors", qpdf("--check", path))
        keys = svc.env["ARAYIS_KEYS_DIR"]
        certs = self.dss_streams(path, "Certs")
        expected = [der_of(os.path.join(keys, "signing.crt")), der_of(os.path.join(keys, "ca.crt")),
                    der_of(self.tsa_cert), der_of(self.tsa.ca_file)]
        self.assertEqual(sorted(certs), sorted(expected))
        answers = self.dss_streams(path, "OCSPs")
        self.assertEqual(len(answers), 2)
        pairs = [(os.path.join(keys, "ca.crt"), os.path.join(keys, "signing.crt")), (self.tsa.ca_file, self.tsa_cert)]
        for answer, (issuer, cert) in zip(answers, pairs):
            answer_path = os.path.join(self.tmp, "answer.der")
            with open(answer_path, "wb") as f:
                f.write(answer)
            text = subprocess.run(["openssl", "ocsp", "-respin", answer_path, "-resp_text", "-noverify"],
                                  capture_output=True, text=True).stdout
            self.assertIn("Response Status: successful", text)
            self.assertIn("Cert Status: good", text)
            self.assertIn("Next Update:", text)
            proc = subprocess.run(["openssl", "ocsp", "-respin", answer_path, "-issuer", issuer, "-cert", cert,
                                   "-CAfile", issuer, "-no_nonce"], capture_output=True, text=True)
            self.assertIn("Response verify OK", proc.stderr + proc.stdout)
            self.assertIn(": good", proc.stdout)
        self.assertTrue(pdfcheck.signature_valid(path), pdfcheck.pdfsig(path))
        status, _, body = svc.request("POST", "/api/v1/verify/pdf", pdf, content_type="application/pdf")
        self.assertEqual((status, json.loads(body)["level"], json.loads(body)["verdict"]), (200, "B-LT", "valid"))
        self.assertIn("level: B-LT", svc.cli("verify", path).stdout)
        # the DSS is in the revision the signature covers: a changed answer breaks the signature
        broken = pdf.replace(answers[1][:64], bytes(64))
        status, _, body = svc.request("POST", "/api/v1/verify/pdf", broken, content_type="application/pdf")
        self.assertEqual(json.loads(body)["signature_valid"], False)

    def test_keys_list_the_tsa_anchors_and_the_answers_held(self):
        svc, _ = self.start()
        self.assertTrue(wait_until(lambda: svc.log_events("validation_data"), timeout=15))
        status, body = svc.json("GET", "/api/v1/keys")
        self.assertEqual(status, 200)
        self.assertEqual([a["pem"].strip() for a in body["tsa_anchors"]], [open(self.tsa.ca_file).read().strip()])
        answers = {a["chain"]: a for a in body["revocation"]["ocsp"]}
        self.assertEqual(sorted(answers), ["signer", "tsa"])
        self.assertIn("document signing", answers["signer"]["subject"])
        self.assertIn("Test TSA", answers["tsa"]["subject"])
        for a in answers.values():
            self.assertEqual(a["status"], "good")
            # the responders were started with -nmin 10
            left = time.mktime(time.strptime(a["next_update"], "%Y-%m-%dT%H:%M:%SZ")) - time.mktime(
                time.strptime(a["this_update"], "%Y-%m-%dT%H:%M:%SZ"))
            self.assertEqual(left, 600)
        self.assertIsNotNone(body["revocation"]["fresh_until"])
        # without validation data: the anchors alone
        plain = Service({"ARAYIS_TSA_CA": self.tsa.ca_file})
        self.addCleanup(plain.close)
        plain.start()
        status, body = plain.json("GET", "/api/v1/keys")
        self.assertEqual((len(body["tsa_anchors"]), body["revocation"]), (1, {"ocsp": [], "fresh_until": None}))

    def test_issuing_does_not_ask_the_responder(self):
        svc, ocsp = self.start()
        self.assertTrue(wait_until(lambda: svc.log_events("validation_data"), timeout=15))

        def asked():
            with open(ocsp.log.name) as f:
                return f.read().count("Received request")

        before = asked()
        for n in range(5):
            self.issue(svc, f"cached-{n}")
        self.assertEqual(asked(), before, "issuing asked the OCSP responder instead of using the kept answers")

    def test_responder_away_answers_503_or_issues_b_t_when_allowed(self):
        svc, _ = self.start(responder=False)
        self.assertTrue(wait_until(lambda: svc.log_events("validation_data_failed"), timeout=15))
        status, headers, body = svc.request("POST", "/api/v1/applications", application("away-1"), key=svc.key)
        self.assertEqual(status, 503, body)
        self.assertIn("retry-after", headers)
        self.assertEqual(json.loads(body)["error"]["code"], "unavailable")

        svc, _ = self.start(responder=False, ARAYIS_TSA_REQUIRED="false")
        path, pdf = self.issue(svc, "away-2")
        self.assertNotIn(b"/DSS", pdf)
        self.assertTrue(svc.log_events("validation_data_skipped"))
        # our own check needs the (absent) responder too: without one configured, it reads the level alone
        env = dict(svc.env, ARAYIS_OCSP_URL="")
        proc = subprocess.run([os.environ["ARAYIS_BIN"], "verify", path], env=env, capture_output=True, text=True)
        self.assertIn("level: B-T", proc.stdout)


if __name__ == "__main__":
    unittest.main()

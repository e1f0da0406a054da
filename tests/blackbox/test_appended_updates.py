"""Black-box tests of revisions appended after the signature: validation data (a DSS) and document timestamps are
accepted, anything that changes what the document shows is refused. The updates are written here, by a small
incremental-update writer that follows ISO 32000-1 7.5.6 (new objects, a cross-reference section, a trailer with
/Prev), with OCSP answers and timestamp tokens from real peers on loopback (openssl ocsp and the test TSA, asked
with the openssl command); pdfsig, qpdf and openssl ts check the results independently."""
import os
import pathlib
import re
import subprocess
import tempfile
import time
import unittest
import urllib.request

import pdfcheck
from harness import Service
from ocsp_responder import OcspResponder
from tsa import Tsa


def application(reference):
    return {"subscriber_type": "residential", "subscriber_code": "1234567890", "portal_reference": reference,
            "applicant": {"fin": "5ABC7D9", "last_name": "Məmmədov", "first_name": "Əli", "birth_date": "1985-04-12"},
            "contact": {"mobile": "050 123 45 67"}}


def openssl(*args, input_bytes=None):
    proc = subprocess.run(["openssl", *args], capture_output=True, input=input_bytes, timeout=60)
    if proc.returncode != 0:
        raise AssertionError(f"openssl {' '.join(args)}: {proc.stderr.decode(errors='replace')}")
    return proc.stdout


def der_of(pem_file):
    return openssl("x509", "-in", pem_file, "-outform", "DER")


# --- an incremental-update writer (ISO 32000-1 7.5.6), independent of the service --------------------------------

def last_trailer(pdf):
    """/Root, /Info and /Size of the last trailer, and the offset of the last cross-reference table."""
    trailer = pdf[pdf.rindex(b"trailer"):]
    root = re.search(rb"/Root (\d+) 0 R", trailer).group(1)
    info = re.search(rb"/Info (\d+) 0 R", trailer)
    size = int(re.search(rb"/Size (\d+)", trailer).group(1))
    startxref = int(re.search(rb"startxref\s+(\d+)", pdf[pdf.rindex(b"startxref"):]).group(1))
    return int(root), info and int(info.group(1)), size, startxref


def object_text(pdf, num):
    """The dictionary of the last definition of object num."""
    at = pdf.rindex(b"\n%d 0 obj" % num) + len(b"\n%d 0 obj" % num)
    return pdf[at:pdf.index(b"endobj", at)].strip()


def stream(data):
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def append_revision(pdf, objects):
    """pdf with one more revision that defines objects ({number: body}); a classic xref and a trailer with /Prev."""
    root, info, size, prev = last_trailer(pdf)
    out = bytearray(pdf if pdf.endswith(b"\n") else pdf + b"\n")
    offsets = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + objects[num] + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 1\n0000000000 65535 f\r\n"
    for num in sorted(offsets):
        out += b"%d 1\n%010d 00000 n\r\n" % (num, offsets[num])
    out += b"trailer\n<< /Size %d /Root %d 0 R " % (max([size] + [n + 1 for n in objects]), root)
    if info:
        out += b"/Info %d 0 R " % info
    out += b"/Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (prev, xref)
    return bytes(out)


def with_entry(dictionary, entry):
    """A dictionary's text with one more entry before its closing >>."""
    return dictionary[:dictionary.rindex(b">>")] + entry + b"\n>>"


def with_array_item(dictionary, key, ref):
    """A dictionary's text whose reference array at key gains ref at its end."""
    return re.sub(rb"(" + re.escape(key) + rb"\s*\[[^\]]*)\]", lambda m: m.group(1) + ref + b" ]", dictionary,
                  count=1)


def add_dss(pdf, certs, answers):
    """Appends a revision with a DSS of the DER certs and answers: a stream each, a DSS dictionary and a new version
    of the catalog that refers to it."""
    root, _, size, _ = last_trailer(pdf)
    objects, num = {}, size
    refs = {b"/Certs": [], b"/OCSPs": []}
    for key, items in ((b"/Certs", certs), (b"/OCSPs", answers)):
        for item in items:
            objects[num] = stream(item)
            refs[key].append(b"%d 0 R" % num)
            num += 1
    objects[num] = b"<< /Type /DSS /Certs [ %s ] /OCSPs [ %s ] >>" % (b" ".join(refs[b"/Certs"]),
                                                                       b" ".join(refs[b"/OCSPs"]))
    objects[root] = with_entry(object_text(pdf, root), b"/DSS %d 0 R" % num)
    return append_revision(pdf, objects)


def timestamp_token(tsa_url, data):
    """An RFC 3161 token over the SHA-256 of data, asked of the TSA at tsa_url with the openssl command."""
    with tempfile.TemporaryDirectory() as tmp:
        digest = openssl("dgst", "-sha256", "-r", input_bytes=data).split()[0].decode()
        query = openssl("ts", "-query", "-digest", digest, "-sha256", "-cert")
        request = urllib.request.Request(tsa_url, data=query, headers={"Content-Type": "application/timestamp-query"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            reply = answer.read()
        path = os.path.join(tmp, "reply.tsr")
        with open(path, "wb") as f:
            f.write(reply)
        return openssl("ts", "-reply", "-in", path, "-token_out")


ROOM = 8192  # bytes for the token


def add_document_timestamp(pdf, tsa_url, rect=b"[ 0 0 0 0 ]", after=None):
    """Appends a revision with a document timestamp (ETSI.RFC3161) field and widget, added to /Fields and to the
    page's /Annots; its /ByteRange covers the whole file but its /Contents. after(bytes) may change the revision
    once the token is in."""
    root, _, size, _ = last_trailer(pdf)
    sig, field = size, size + 1
    page = int(re.search(rb"/P (\d+) 0 R", object_text(pdf, 24)).group(1))
    placeholder = b"/ByteRange [0 0000000000 0000000000 0000000000]"
    objects = {
        sig: b"<< /Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161 " + placeholder +
             b" /Contents <" + b"0" * (2 * ROOM) + b"> >>",
        field: b"<< /Type /Annot /Subtype /Widget /FT /Sig /T (Zaman1) /F 132 /Rect %s /P %d 0 R /V %d 0 R >>"
               % (rect, page, sig),
        root: with_array_item(object_text(pdf, root), b"/Fields", b"%d 0 R" % field),
        page: with_array_item(object_text(pdf, page), b"/Annots", b"%d 0 R" % field),
    }
    out = bytearray(append_revision(pdf, objects))
    b = out.rindex(b"/Contents <") + len(b"/Contents ")
    c = out.index(b">", b) + 1
    ranges = b"/ByteRange [0 %d %d %d]" % (b, c, len(out) - c)
    at = out.rindex(placeholder)
    out[at:at + len(placeholder)] = ranges.ljust(len(placeholder))
    token = timestamp_token(tsa_url, bytes(out[:b]) + bytes(out[c:]))
    hexed = token.hex().encode()
    out[b + 1:b + 1 + len(hexed)] = hexed
    return (after(bytes(out)) if after else bytes(out)), token, (b, c)


# --- the tests -----------------------------------------------------------------------------------------------------

class AppendedUpdatesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tsa = Tsa()
        cls.tmp = tempfile.mkdtemp(prefix="arayis-updates-")
        # B-T documents: no OCSP source, so the signed revision carries no DSS
        cls.svc = Service({"ARAYIS_TSA_URL": cls.tsa.url, "ARAYIS_TSA_CA": cls.tsa.ca_file})
        cls.svc.start()
        cls.svc.key = cls.svc.create_key("egov", "portal")
        cls.svc.cli("billing", "import", os.path.join(os.environ["ARAYIS_SHARE_DIR"], "demo", "billing.csv"))

    @classmethod
    def tearDownClass(cls):
        cls.svc.close()
        cls.tsa.close()

    def issue(self, reference):
        status, got = self.svc.json("POST", "/api/v1/applications", application(reference), key=self.svc.key)
        self.assertEqual(status, 201, got)
        cert = got["certificate"]
        status, _, pdf = self.svc.request("GET", f'/c/{cert["number"]}.pdf?code={cert["verification_code"]}')
        self.assertEqual(status, 200)
        return cert["number"], pdf

    def save(self, name, pdf):
        path = pathlib.Path(self.tmp, name)
        path.write_bytes(pdf)
        return str(path)

    def check(self, pdf):
        status, got = self.svc.verify_pdf(pdf)
        self.assertEqual(status, 200, got)
        return got

    def cli_verify(self, path):
        return self.svc.cli("verify", path, check=False)

    def first_signature_valid(self, path):
        """pdfsig on the first signature: valid, and not over the whole file (a revision follows)."""
        report = pdfcheck.pdfsig(path)
        first = report.split("Signature #2")[0]
        return "Signature is Valid." in first and "Not total document signed" in first, report

    def ocsp_answers(self):
        """Good OCSP answers for our signing certificate and for the TSA's, from two real responders."""
        keys = self.svc.env["ARAYIS_KEYS_DIR"]
        pairs = [(os.path.join(keys, "ca.crt"), os.path.join(keys, "ca.key"), os.path.join(keys, "signing.crt")),
                 (self.tsa.ca_file, os.path.join(self.tsa.dir, "ca.key"), os.path.join(self.tsa.dir, "tsa.crt"))]
        answers = []
        for ca, ca_key, cert in pairs:
            responder = OcspResponder(ca, ca_key, next_minutes=10)
            responder.set_good(cert)
            responder.start()
            try:
                out = os.path.join(self.tmp, "answer.der")
                openssl("ocsp", "-issuer", ca, "-cert", cert, "-url", responder.url, "-no_nonce", "-noverify",
                        "-respout", out)
                with open(out, "rb") as f:
                    answers.append(f.read())
            finally:
                responder.stop()
        certs = [der_of(c) for c in (pairs[0][2], pairs[0][0], pairs[1][2], pairs[1][0])]
        return certs, answers

    def test_validation_data_appended_after_the_signature_is_accepted(self):
        number, pdf = self.issue("upd-dss")
        before = self.check(pdf)
        self.assertEqual((before["signature_valid"], before["level"]), (True, "B-T"))
        certs, answers = self.ocsp_answers()
        updated = add_dss(pdf, certs, answers)
        path = self.save("dss.pdf", updated)
        self.assertTrue(pdfcheck.qpdf_clean(path))
        valid, report = self.first_signature_valid(path)
        self.assertTrue(valid, report)
        got = self.check(updated)
        self.assertTrue(got["signature_valid"], got)
        # the appended DSS holds the chains of the signer and the TSA with good answers: B-LT
        self.assertEqual(got["level"], "B-LT")
        self.assertEqual(got["timestamped_at"], before["timestamped_at"])
        self.assertIsNone(got["document_timestamped_at"])
        # the signed revision is the issued document byte for byte
        self.assertEqual((got["registered"], got["number"], got["verdict"]), (True, number, "valid"))
        out = self.cli_verify(path)
        self.assertEqual(out.returncode, 0, out.stdout)
        self.assertIn("level: B-LT", out.stdout)
        # the same update without the answer for the TSA's certificate: still accepted, but not B-LT
        got = self.check(add_dss(pdf, certs, answers[:1]))
        self.assertEqual((got["signature_valid"], got["level"]), (True, "B-T"))

    def test_document_timestamp_appended_after_the_signature_is_accepted_and_reported(self):
        number, pdf = self.issue("upd-docts")
        before = self.check(pdf)
        asked = time.time()
        updated, token, (b, c) = add_document_timestamp(pdf, self.tsa.url)
        path = self.save("docts.pdf", updated)
        self.assertTrue(pdfcheck.qpdf_clean(path))
        valid, report = self.first_signature_valid(path)
        self.assertTrue(valid, report)
        self.assertIn("Signature #2", report)
        # the token verifies over its byte range with openssl ts, independently of the service
        data = self.save("docts.data", updated[:b] + updated[c:])
        token_path = self.save("docts.tst", token)
        proc = subprocess.run(["openssl", "ts", "-verify", "-data", data, "-in", token_path, "-token_in", "-CAfile",
                               self.tsa.ca_file], capture_output=True, text=True)
        self.assertIn("Verification: OK", proc.stdout + proc.stderr)
        got = self.check(updated)
        self.assertTrue(got["signature_valid"], got)
        self.assertEqual((got["level"], got["timestamped_at"]), ("B-T", before["timestamped_at"]))
        stamped = time.mktime(time.strptime(got["document_timestamped_at"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
        self.assertLess(abs(stamped - asked), 120)
        self.assertEqual((got["registered"], got["number"], got["verdict"]), (True, number, "valid"))
        out = self.cli_verify(path)
        self.assertEqual(out.returncode, 0, out.stdout)
        self.assertIn(f"document timestamp: {got['document_timestamped_at']}", out.stdout)
        # validation data after the document timestamp is accepted too
        certs, answers = self.ocsp_answers()
        got = self.check(add_dss(updated, certs, answers))
        self.assertEqual((got["signature_valid"], got["level"]), (True, "B-LT"))

    def refused(self, name, pdf, reason):
        """pdfsig still finds the signature's own bytes intact; our checks refuse the file, saying why."""
        path = self.save(name, pdf)
        valid, report = self.first_signature_valid(path)
        self.assertTrue(valid, report)
        got = self.check(pdf)
        self.assertEqual((got["signature_valid"], got["verdict"]), (False, "not_genuine"), got)
        out = self.cli_verify(path)
        self.assertEqual(out.returncode, 1, out.stdout)
        self.assertIn("reason: the file was changed after it was signed: " + reason, out.stdout)

    def test_changes_after_the_signature_are_refused(self):
        _, pdf = self.issue("upd-refused")
        root, _, size, _ = last_trailer(pdf)
        page_num = int(re.search(rb"/P (\d+) 0 R", object_text(pdf, 24)).group(1))
        page = object_text(pdf, page_num)
        contents = int(re.search(rb"/Contents (\d+) 0 R", page).group(1))
        drawn = b"BT /F0 24 Tf 100 400 Td <0030> Tj ET"
        # new page content: a new version of the content stream, and a new stream the page points at instead
        self.refused("content.pdf", append_revision(pdf, {contents: stream(drawn)}),
                     f"a revision after the signature changes object {contents}")
        self.refused("page.pdf", append_revision(pdf, {size: stream(drawn), page_num: re.sub(
            rb"/Contents \d+ 0 R", b"/Contents %d 0 R" % size, page)}), "a revision after the signature changes a page")
        # a new annotation on the page
        note = b"<< /Type /Annot /Subtype /FreeText /Rect [ 100 400 500 440 ] /Contents (Borc yoxdur) /DA (/Helv 12 Tf) >>"
        self.refused("annot.pdf", append_revision(pdf, {size: note, page_num: with_array_item(page, b"/Annots",
                                                                                            b"%d 0 R" % size)}),
                     "a field or annotation added after the signature is not a document timestamp")
        # a catalog that opens with an action
        self.refused("catalog.pdf", append_revision(pdf, {root: with_entry(object_text(pdf, root),
                                                                           b"/PageMode /UseOutlines")}),
                     "a revision after the signature changes the catalog beyond its /DSS")
        # a document timestamp whose widget can be seen
        visible, _, _ = add_document_timestamp(pdf, self.tsa.url, rect=b"[ 100 400 500 440 ]")
        self.refused("visible.pdf", visible, "a document timestamp added after the signature has a visible widget")
        # bytes of a document timestamp's revision changed once it was stamped
        renamed, _, _ = add_document_timestamp(pdf, self.tsa.url, after=lambda d: d.replace(b"(Zaman1)", b"(Zaman2)"))
        got = self.check(renamed)
        self.assertEqual(got["signature_valid"], False)
        out = self.cli_verify(self.save("renamed.pdf", renamed))
        self.assertIn("reason: the document timestamp does not match the document", out.stdout)


if __name__ == "__main__":
    unittest.main()

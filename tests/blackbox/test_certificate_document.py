"""The certificate document checked with independent tools: pdfsig, qpdf, pdftotext, pdftoppm + zbarimg, openssl cms.
The documents are samples (arayis render --sample): the real layout, signed by a throwaway key."""
import os
import shutil
import stat
import subprocess
import tempfile
import unittest

import pdfcheck
from harness import run_cli

BASE = "https://arayis.example.az"
SAMPLE_NUMBER = "AZI-NÜMUNƏ-000000"
VERIFY_URL = f"{BASE}/v/AZI-N%C3%9CMUN%C6%8F-000000?code=K7Q2M9XD4P8T3R6W"
LETTERS = "Ə ə Ğ ğ I ı İ i Ö ö Ş ş Ç ç Ü ü"


def der_length(der):
    """The length of the DER element at the start of der, from its header (tag, then short or long length)."""
    first = der[1]
    if first < 0x80:
        return 2 + first
    n = first & 0x7F
    return 2 + n + int.from_bytes(der[2:2 + n], "big")


class DocumentTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="arayis-doc-")
        cls.env = dict(os.environ, ARAYIS_KEYS_DIR=os.path.join(cls.tmp, "keys"), ARAYIS_PUBLIC_BASE_URL=BASE)
        run_cli(["keygen"], cls.env)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def render(self, name, *args, env=None):
        path = os.path.join(self.tmp, name)
        run_cli(["render", "--sample", path, *args], env or self.env)
        return path

    def check_common(self, path):
        self.assertTrue(pdfcheck.signature_valid(path), pdfcheck.pdfsig(path))
        self.assertTrue(pdfcheck.qpdf_clean(path))
        self.assertEqual(pdfcheck.qr_payload(path), VERIFY_URL)
        text = pdfcheck.text(path)
        for expected in ("“AZƏRİŞIQ” ASC", "ARAYIŞ", SAMPLE_NUMBER, "Yoxlama kodu: K7Q2-M9XD-4P8T-3R6W",
                         f"{BASE}/v", "Sənəd “Azərişıq” ASC tərəfindən elektron imza ilə imzalanmışdır."):
            self.assertIn(expected, text)
        self.assertRegex(text, r"Verilmə tarixi \d\d\.\d\d\.\d{4}")
        self.assertRegex(text, r"\d\d\.\d\d\.\d{4} tarixinədək")
        self.assertLess(os.path.getsize(path), 40_000)
        return text

    def test_residential_without_debt(self):
        text = self.check_common(self.render("res-nodebt.pdf"))
        self.assertIn("Əhali abonenti", text)
        self.assertIn("Məmmədov Əli Şükür oğlu", text)
        self.assertIn("borcu yoxdur.", text)
        self.assertNotIn("VÖEN", text)

    def test_residential_with_debt_formats_money(self):
        text = self.check_common(self.render("res-debt.pdf", "--debt", "1234.56"))
        self.assertIn("1 234,56 AZN məbləğində borcu var.", text)

    def test_non_residential_variants(self):
        text = self.check_common(self.render("nonres-debt.pdf", "--non-residential", "--debt", "1234567.8"))
        self.assertIn("Qeyri-əhali abonenti", text)
        self.assertIn("Təşkilatın adı “Çıraq Işıq” ASC", text)
        self.assertIn("VÖEN 9876543211", text)
        self.assertIn("1 234 567,80 AZN", text)
        text = self.check_common(self.render("nonres-nodebt.pdf", "--non-residential"))
        self.assertIn("borcu yoxdur.", text)

    def test_every_azerbaijani_letter_extracts_exactly(self):
        text = self.check_common(self.render("letters.pdf", "--holder", LETTERS))
        self.assertIn(LETTERS, text)

    def test_embedded_fonts_are_glyph_subsets(self):
        path = self.render("subset.pdf", "--holder", LETTERS)
        text = self.check_common(path)
        shown = {c for c in text if not c.isspace()}
        fonts = pdfcheck.embedded_fonts(path)
        self.assertEqual(len(fonts), 2)  # regular and bold, no extension subset for Azerbaijani text
        for font in fonts:
            self.assertEqual(font["tables"], ["glyf", "head", "hhea", "hmtx", "loca", "maxp"])
            self.assertEqual(font["composites"], 0)
            self.assertLess(font["outlines"], font["glyphs"])  # unused glyphs are left empty
        self.assertGreaterEqual(sum(f["outlines"] for f in fonts), len(shown))
        self.assertLessEqual(os.path.getsize(path), 20 * 1024)

    def test_longest_name_and_address_wrap_on_the_page(self):
        name = ("Şəhriyar " * 12)[:100].strip()
        address = ("Bakı şəhəri, Nərimanov rayonu, Əliyar Əliyev küçəsi 17, mənzil 204, " * 5)[:300].strip()
        path = self.render("long.pdf", "--holder", name, "--address", address)
        text = self.check_common(path)
        flat = " ".join(text.split())
        self.assertIn(" ".join(address.split()), flat)
        self.assertIn(name, flat)
        status, out, err = pdfcheck.run(["pdftotext", "-bbox", path, "-"])
        for line in out.splitlines():  # every word inside the page's side margins
            if "xMin" in line:
                xmin = float(line.split('xMin="')[1].split('"')[0])
                xmax = float(line.split('xMax="')[1].split('"')[0])
                self.assertGreaterEqual(xmin, 40)
                self.assertLessEqual(xmax, 595.28 - 40)

    def test_character_outside_the_font_is_an_error(self):
        out = run_cli(["render", "--sample", os.path.join(self.tmp, "cjk.pdf"), "--holder", "Əli 漢字"], self.env,
                      check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("no glyph", out.stderr)

    def test_metadata(self):
        path = self.render("meta.pdf")
        status, out, _ = pdfcheck.run(["pdfinfo", path])
        self.assertRegex(out, r"Title:\s+Arayış AZI-NÜMUNƏ-000000\n")
        self.assertRegex(out, r"Author:\s+“Azərişıq” ASC\n")
        self.assertRegex(out, r"Subject:\s+Abonentin elektrik enerjisi üzrə borcunun olub-olmaması barədə arayış\n")
        self.assertRegex(out, r"CreationDate:\s+\w+ \w+ +\d+ [\d:]+ 20\d\d")
        with open(path, "rb") as f:
            self.assertIn(b"/Lang (az)", f.read())

    def test_openssl_verifies_the_byte_range(self):
        path = self.render("cms.pdf")
        data = open(path, "rb").read()
        start = data.rindex(b"/ByteRange [") + len(b"/ByteRange [")
        a, b, c, d = map(int, data[start:data.index(b"]", start)].split())
        self.assertEqual((a, c + d), (0, len(data)))
        contents = bytes.fromhex(data[b + 1:c - 1].decode())
        der = contents[:der_length(contents)]  # the zeros after it are padding; the DER may end in a zero byte too
        sig, content = os.path.join(self.tmp, "sig.der"), os.path.join(self.tmp, "signed.bin")
        open(sig, "wb").write(der)
        open(content, "wb").write(data[a:a + b] + data[c:c + d])
        # a sample's chain is a throwaway one: the signature over the byte range is what is checked here
        proc = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", sig, "-content", content,
                               "-noverify", "-out", os.devnull], capture_output=True)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn(b"Verification successful", proc.stderr)

    def test_tampering_is_detected_by_pdfsig(self):
        path = self.render("tamper.pdf")
        self.assertTrue(pdfcheck.signature_valid(path))
        self.assertEqual(run_cli(["verify", path], self.env, check=False).returncode, 1)  # a sample is never ours
        data = bytearray(open(path, "rb").read())
        for offset in (200, len(data) - 100):
            bad = os.path.join(self.tmp, f"tampered-{offset}.pdf")
            copy = bytearray(data)
            copy[offset] ^= 0x01
            open(bad, "wb").write(copy)
            self.assertFalse(pdfcheck.signature_valid(bad))
            self.assertEqual(run_cli(["verify", bad], self.env, check=False).returncode, 1)

    def test_another_signers_pdf_is_not_ours(self):
        other_env = dict(self.env, ARAYIS_KEYS_DIR=os.path.join(self.tmp, "other-keys"))
        path = self.render("other.pdf", env=other_env)
        self.assertTrue(pdfcheck.signature_valid(path))
        out = run_cli(["verify", path], self.env, check=False)
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assertIn("not one of our keys", out.stdout)

    def test_not_a_pdf_and_truncated(self):
        junk = os.path.join(self.tmp, "junk.pdf")
        open(junk, "wb").write(b"hello")
        self.assertEqual(run_cli(["verify", junk], self.env, check=False).returncode, 2)
        path = self.render("trunc-src.pdf")
        trunc = os.path.join(self.tmp, "trunc.pdf")
        open(trunc, "wb").write(open(path, "rb").read()[:-400])
        self.assertNotEqual(run_cli(["verify", trunc], self.env, check=False).returncode, 0)

    def test_private_key_permissions(self):
        keys = os.path.join(self.tmp, "perm-keys")
        env = dict(self.env, ARAYIS_KEYS_DIR=keys)
        run_cli(["keygen"], env)
        key = os.path.join(keys, "signing.key")
        self.assertEqual(stat.S_IMODE(os.stat(key).st_mode), 0o600)
        os.chmod(key, 0o644)
        out = run_cli(["bench", "render", "--count", "1"], env, check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("mode 0600", out.stderr)

    def test_rsa_keys_sign_too(self):
        path = self.render("rsa.pdf", "--key", "rsa")
        self.assertTrue(pdfcheck.signature_valid(path))
        data = open(path, "rb").read()
        start = data.rindex(b"/ByteRange [") + len(b"/ByteRange [")
        a, b, c, d = map(int, data[start:data.index(b"]", start)].split())
        der = bytes.fromhex(data[b + 1:c - 1].decode())
        proc = subprocess.run(["openssl", "cms", "-cmsout", "-inform", "DER", "-print", "-noout"], input=der,
                              capture_output=True)
        self.assertIn(b"rsaEncryption", proc.stdout)


if __name__ == "__main__":
    unittest.main()

"""Checks a PDF with independent tools: poppler's pdfsig and pdftotext, qpdf, pdftoppm + zbarimg, mutool + fontTools."""
import json
import os
import subprocess
import tempfile


def run(args):
    """Runs a tool; returns (exit status, stdout, stderr) as text."""
    proc = subprocess.run(args, capture_output=True, timeout=120)
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")


def pdfsig(path):
    """pdfsig's report as text."""
    return run(["pdfsig", path])[1]


def signature_valid(path):
    """True when pdfsig says the signature is valid and covers the whole document."""
    report = pdfsig(path)
    return "Signature is Valid." in report and "Total document signed" in report


def text(path):
    """The text of the PDF by pdftotext (raw order, UTF-8); fails on any warning."""
    status, out, err = run(["pdftotext", "-raw", "-enc", "UTF-8", path, "-"])
    if status != 0 or err.strip():
        raise AssertionError(f"pdftotext: status {status}: {err}")
    return out


def qpdf_clean(path):
    status, out, err = run(["qpdf", "--check", path])
    return status == 0 and "No syntax or stream encoding errors" in out and not err.strip()


def qr_payload(path, dpi=150):
    """What zbarimg decodes from page 1 rendered at dpi; fails on pdftoppm warnings."""
    with tempfile.TemporaryDirectory() as tmp:
        prefix = os.path.join(tmp, "page")
        status, _, err = run(["pdftoppm", "-r", str(dpi), "-png", "-f", "1", "-l", "1", path, prefix])
        if status != 0 or err.strip():
            raise AssertionError(f"pdftoppm: status {status}: {err}")
        png = [f for f in os.listdir(tmp) if f.endswith(".png")][0]
        status, out, _ = run(["zbarimg", "--raw", "-q", os.path.join(tmp, png)])
        return out.strip() if status == 0 else None


FONT_REPORT = r"""
import json, sys
from fontTools.ttLib import TTFont
report = []
for path in sys.argv[1:]:
    font = TTFont(path, checkChecksums=2)
    glyf = font["glyf"]
    order = font.getGlyphOrder()
    report.append({"tables": sorted(t for t in font.keys() if t != "GlyphOrder"), "glyphs": len(order),
                   "outlines": sum(1 for g in order if glyf[g].numberOfContours != 0),
                   "composites": sum(1 for g in order if glyf[g].isComposite())})
print(json.dumps(report))
"""


def embedded_fonts(path):
    """The TrueType programs embedded in the PDF (extracted by mutool, read by fontTools with checksums checked):
    per font its tables, glyph count, glyphs with outlines and composite glyphs."""
    with tempfile.TemporaryDirectory() as tmp:
        status, _, err = run(["sh", "-c", f'cd "{tmp}" && mutool extract "{os.path.abspath(path)}"'])
        if status != 0:
            raise AssertionError(f"mutool extract: {err}")
        fonts = sorted(os.path.join(tmp, f) for f in os.listdir(tmp) if f.endswith(".ttf"))
        status, out, err = run(["/usr/bin/python3", "-c", FONT_REPORT, *fonts])
        if status != 0:
            raise AssertionError(f"fontTools: {err}")
        return json.loads(out)

#!/usr/bin/env bash
# Makes the certificate fonts in fonts/ from Debian's DejaVu Sans with fontTools (packages fonts-dejavu-core,
# python3-fonttools): per face a core subset (Basic Latin, the Azerbaijani alphabet, typographic punctuation,
# № , a manat sign ₼ drawn from DejaVu's own ∩, and every character of templates/certificate.json) and an
# extension subset (the rest of Latin-1, Latin Extended-A and -B, which src/domain/validate.c accepts).
# Composite glyphs are decomposed. A PDF embeds, per document, only the glyphs its text uses, of the core subsets and
# of an extension subset only when the text needs it.
set -euo pipefail
cd "$(dirname "$0")/.."
/usr/bin/python3 - <<'PY'
import json
import os
import tempfile

from fontTools import subset
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.pens.transformPen import TransformPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont

SOURCE = "/usr/share/fonts/truetype/dejavu"
AZ_LETTERS = "ƏəĞğIıİiÖöŞşÇçÜü"
PUNCTUATION = "\u00a0«»·“”„‘’ʼ–—•№₼"
MANAT = 0x20BC


def template_chars():
    with open("templates/certificate.json", encoding="utf-8") as f:
        return {ord(c) for c in f.read() if ord(c) >= 0x20}


def add_manat(font):
    """Draws ₼ as DejaVu's ∩ with a vertical stroke of the same weight up to cap height, advance of ₽."""
    glyf, hmtx = font["glyf"], font["hmtx"]
    arch = glyf["intersection"]
    arch.recalcBounds(glyf)
    coords = arch.getCoordinates(glyf)[0]
    stroke = min(x for x, y in coords if x > arch.xMin) - arch.xMin
    advance = hmtx["uni20BD"][0]
    shift = (advance - (arch.xMax - arch.xMin)) // 2 - arch.xMin
    pen = TTGlyphPen(font.getGlyphSet())
    font.getGlyphSet()["intersection"].draw(TransformPen(pen, (1, 0, 0, 1, shift, 0)))
    middle = (arch.xMin + arch.xMax) // 2 + shift
    cap = glyf["H"].yMax
    pen.moveTo((middle - stroke // 2, 0))
    pen.lineTo((middle - stroke // 2, cap))
    pen.lineTo((middle + stroke // 2, cap))
    pen.lineTo((middle + stroke // 2, 0))
    pen.closePath()
    font.setGlyphOrder(font.getGlyphOrder() + ["uni20BC"])
    glyf["uni20BC"] = pen.glyph()
    glyf["uni20BC"].recalcBounds(glyf)
    hmtx["uni20BC"] = (advance, glyf["uni20BC"].xMin)
    for table in font["cmap"].tables:
        if table.isUnicode():
            table.cmap[MANAT] = "uni20BC"


def decompose(font, unicodes):
    """Replaces composite glyphs of the repertoire by plain outlines, so that a document's subset needs no components."""
    glyf, glyphs, cmap = font["glyf"], font.getGlyphSet(), font.getBestCmap()
    for name in {cmap[c] for c in unicodes if c in cmap}:
        if glyf[name].isComposite():
            outline = DecomposingRecordingPen(glyphs)
            glyphs[name].draw(outline)
            pen = TTGlyphPen(None)
            outline.replay(pen)
            glyf[name] = pen.glyph()
            glyf[name].recalcBounds(glyf)


def write_subset(source_path, unicodes, out_path):
    options = subset.Options()
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "MATH", "gasp"]
    options.hinting = False
    options.notdef_outline = True
    options.glyph_names = False
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]
    font = TTFont(source_path, recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(unicodes))
    subsetter.subset(font)
    font.save(out_path)
    print(f"{out_path}: {len(font.getBestCmap())} characters, {os.path.getsize(out_path)} bytes")


core = set(range(0x20, 0x7F)) | {ord(c) for c in AZ_LETTERS + PUNCTUATION} | template_chars()
extension = (set(range(0xA0, 0x250)) | {0x0259, 0x02BC, 0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D,
                                          0x201E, 0x2116}) - core
with tempfile.TemporaryDirectory() as tmp:
    for face in ("DejaVuSans", "DejaVuSans-Bold"):
        full = TTFont(f"{SOURCE}/{face}.ttf")
        add_manat(full)
        decompose(full, core | extension)
        with_manat = os.path.join(tmp, face + ".ttf")
        full.save(with_manat)
        missing = sorted(c for c in core | extension if c not in full.getBestCmap())
        if missing:
            print(f"{face}: not in DejaVu, left out: {' '.join(f'U+{c:04X}' for c in missing)}")
        write_subset(with_manat, core, f"fonts/{face}-arayis.ttf")
        write_subset(with_manat, extension, f"fonts/{face}-arayis-ext.ttf")
PY
zcat /usr/share/doc/fonts-dejavu-core/copyright.gz 2>/dev/null >fonts/LICENSE-DejaVu.txt ||
  cp /usr/share/doc/fonts-dejavu-core/copyright fonts/LICENSE-DejaVu.txt

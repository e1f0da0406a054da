#!/usr/bin/env bash
# Makes fonts/ from Debian's DejaVu Sans: subsets holding exactly the repertoire the certificate may print
# (Latin incl. every Azerbaijani letter, “ ” ‘ ’ ʼ – — № ₼ •), which keeps each PDF small.
# Needs fonts-dejavu-core and python3-fonttools. The repertoire must match is_document_char() in
# src/domain/validate.c plus the characters of templates/.
set -euo pipefail
cd "$(dirname "$0")/.."
src=/usr/share/fonts/truetype/dejavu
unicodes="U+0020-007E,U+00A0-017F,U+018F,U+0259,U+02BC,U+2013,U+2014,U+2018,U+2019,U+201C-201E,U+2022,U+2116,U+20BC"
for face in DejaVuSans DejaVuSans-Bold; do
  /usr/bin/python3 -m fontTools.subset "$src/$face.ttf" --unicodes="$unicodes" \
    --layout-features='' --no-hinting --notdef-outline --name-IDs='*' --name-languages='*' \
    --output-file="fonts/$face-arayis.ttf"
done
zcat /usr/share/doc/fonts-dejavu-core/copyright.gz 2>/dev/null > fonts/LICENSE-DejaVu.txt || cp /usr/share/doc/fonts-dejavu-core/copyright fonts/LICENSE-DejaVu.txt
ls -l fonts/

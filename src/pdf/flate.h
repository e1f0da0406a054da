/* Flate-compressed PDF streams, compressed by libdeflate with one reusable compressor per thread (libharu would set
   up a fresh zlib state for every stream of every document). */
#ifndef ARAYIS_PDF_FLATE_H
#define ARAYIS_PDF_FLATE_H

#include <hpdf.h>
#include <hpdf_objects.h>

#include "core/buf.h"

/* Writes data compressed into the stream of dict and gives dict /Filter /FlateDecode. The stream's own filter must
   be none. Returns 0 or -1. */
int flate_stream_write(HPDF_Dict dict, const buf *data);

#endif

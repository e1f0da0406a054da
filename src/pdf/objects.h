/* Checked steps on libharu's object API: a constructor's NULL result fails the step that would add it, so a failed
   allocation stops the building instead of being passed on. */
#ifndef ARAYIS_PDF_OBJECTS_H
#define ARAYIS_PDF_OBJECTS_H

#include <hpdf.h>
#include <hpdf_objects.h>

/* Adds obj under key to dict. Takes obj also on failure (libharu frees a direct object it could not add); a NULL
   obj (what a failed constructor returns) fails. Returns 0 or -1; libharu keeps the error in the document. */
int pdf_dict_put(HPDF_Dict dict, const char *key, void *obj);

/* Appends obj to array, on the same terms as pdf_dict_put. */
int pdf_array_put(HPDF_Array array, void *obj);

/* A new direct array of the four numbers of box, or NULL. */
HPDF_Array pdf_box_array(HPDF_MMgr mmgr, const double box[4]);

#endif

/* Adding libharu objects step by step, each step checked. */
#include "pdf/objects.h"

#include <assert.h>

int pdf_dict_put(HPDF_Dict dict, const char *key, void *obj)
{
    assert(dict != NULL && key != NULL);
    return obj != NULL && HPDF_Dict_Add(dict, key, obj) == HPDF_OK ? 0 : -1;
}

int pdf_array_put(HPDF_Array array, void *obj)
{
    assert(array != NULL);
    return obj != NULL && HPDF_Array_Add(array, obj) == HPDF_OK ? 0 : -1;
}

HPDF_Array pdf_box_array(HPDF_MMgr mmgr, const double box[4])
{
    HPDF_Array a = HPDF_Array_New(mmgr);
    for (int i = 0; a != NULL && i < 4; i++)
        if (HPDF_Array_AddReal(a, (HPDF_REAL)box[i]) != HPDF_OK) {
            HPDF_Array_Free(a);
            return NULL;
        }
    return a;
}

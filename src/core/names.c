/* Looking a name up in an enum's name table. */
#include "core/names.h"

#include <string.h>

int names_find(const char *const *names, int count, const char *text)
{
    for (int i = 0; text != NULL && i < count; i++)
        if (names[i] != NULL && strcmp(names[i], text) == 0)
            return i;
    return count;
}

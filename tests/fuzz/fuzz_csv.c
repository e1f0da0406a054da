/* Fuzzes the billing CSV reader and the validation of each row. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/billing.h"
#include "model/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    FILE *f = fmemopen((void *)data, size, "r");
    csv_reader *r = f ? csv_open_file(f) : NULL;
    csv_record rec;
    err e = {0};
    while (r && csv_next(r, &rec, &e) == 1) {
        const char *cell[8] = {0};
        for (size_t i = 0; i < rec.nfields && i < 8; i++)
            cell[i] = rec.lens[i] ? rec.fields[i] : NULL;
        billing_input in = {cell[0], cell[1], cell[2], cell[3], cell[4], cell[5], cell[6], cell[7]};
        billing_record out;
        field_errors errs = {0};
        if (billing_validate(&in, &out, time(NULL), &errs) == 0)
            billing_record_free(&out);
    }
    csv_close(r);
    if (f)
        fclose(f);
    return 0;
}

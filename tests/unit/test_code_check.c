/* Unit tests of the pieces behind the public checks: the constant-time comparison, the code read that lands on a
   row whether the number exists or not, and the PDF signing-time parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "crypto/hash.h"
#include "scratch_dir.h"
#include "store/db_sqlite.h"
#include "store/certificates.h"
#include "store/store.h"

static void test_equal_ct_compares_every_byte(void **state)
{
    (void)state;
    const char code[] = "K7Q2M9XD4P8T3R6W";
    char other[sizeof code];
    assert_true(hash_equal_ct(code, "K7Q2M9XD4P8T3R6W", 16));
    for (size_t i = 0; i < 16; i++) {
        memcpy(other, code, sizeof code);
        other[i] ^= 0x01;
        assert_false(hash_equal_ct(code, other, 16));
        other[i] ^= 0x81; /* differs in the top bit only */
        assert_false(hash_equal_ct(code, other, 16));
    }
    assert_true(hash_equal_ct(code, "different", 0));
}

/* Two issued certificates and one being issued (no PDF yet). */
static const char CERTIFICATES[] =
    "INSERT INTO api_keys(id, name, role, key_hash, created_at) VALUES (1, 'portal', 'portal', 'h', 0);"
    "INSERT INTO applications(id, api_key_id, request_sha256, subscriber_type, subscriber_code, applicant_fin,"
    " applicant_name, birth_date, mobile, status, submitted_at) VALUES"
    " ('A1', 1, 'r1', 'residential', '1234567890', '5ABC7D9', 'Ad', '1985-04-12', '+994501234567', 'issued', 0),"
    " ('A2', 1, 'r2', 'residential', '1234567890', '5ABC7D9', 'Ad', '1985-04-12', '+994501234567', 'issued', 0),"
    " ('A3', 1, 'r3', 'residential', '1234567890', '5ABC7D9', 'Ad', '1985-04-12', '+994501234567', 'debt_checked', 0);"
    "INSERT INTO certificates(number, application_id, code, issued_at, valid_until, subscriber_type, subscriber_code,"
    " holder, debt_qepik, debt_as_of, sha256) VALUES"
    " ('AZI-2026-000001', 'A1', 'AAAAAAAAAAAAAAAA', 0, 1, 'residential', '1234567890', 'Ad', 0, 0, 'sha-1'),"
    " ('AZI-2026-000002', 'A2', 'BBBBBBBBBBBBBBBB', 0, 1, 'residential', '1234567890', 'Ad', 0, 0, 'sha-2'),"
    " ('AZI-2026-000003', 'A3', 'CCCCCCCCCCCCCCCC', 0, 1, 'residential', '1234567890', 'Ad', 0, 0, '');";

/* The row find_at_or_before read for number: its return, whether it was exact, the code it read. */
typedef struct landing {
    int found, exact;
    char code[17];
} landing;

static landing land(db *d, const char *number)
{
    err e = {0};
    certificate_row c;
    landing l = {0, 0, "################"};
    l.found = certificates_find_at_or_before(d, number, &c, &l.exact, &e);
    if (l.found == 1)
        memcpy(l.code, c.code, sizeof l.code);
    return l;
}

static void test_code_read_lands_on_a_row_either_way(void **state)
{
    (void)state;
    char dir[SCRATCH_DIR_LEN];
    err e = {0};
    assert_int_equal(scratch_dir_make(dir, "codes"), 0);
    store *s = store_open(dir, "", &e);
    assert_non_null(s);
    db *d = store_db(s, &e);
    assert_int_equal(sqlite3_exec(db_sqlite_handle(d), CERTIFICATES, NULL, NULL, NULL), SQLITE_OK);
    landing l = land(d, "AZI-2026-000001");
    assert_true(l.found == 1 && l.exact);
    assert_string_equal(l.code, "AAAAAAAAAAAAAAAA");
    l = land(d, "AZI-2026-000002");
    assert_true(l.found == 1 && l.exact);
    assert_string_equal(l.code, "BBBBBBBBBBBBBBBB");
    /* not issued yet: its own row, but not its code to accept */
    l = land(d, "AZI-2026-000003");
    assert_true(l.found == 1 && !l.exact);
    /* unknown: the nearest row before it was read */
    l = land(d, "AZI-2026-000002x");
    assert_true(l.found == 1 && !l.exact);
    assert_string_equal(l.code, "BBBBBBBBBBBBBBBB");
    l = land(d, "AZI-2026-999999");
    assert_true(l.found == 1 && !l.exact);
    assert_string_equal(l.code, "CCCCCCCCCCCCCCCC");
    /* nothing before it: no row */
    l = land(d, "AZI-2025-000001");
    assert_true(l.found == 0 && !l.exact);
    store_close(s);
    assert_int_equal(scratch_dir_remove(dir), 0);
}

static void test_pdf_dates(void **state)
{
    (void)state;
    static const struct { const char *text; time_t want; } good[] = {
        {"D:20261125100300Z", 1795600980},
        {"D:20261125140300+04'00'", 1795600980},
        {"D:20261125140300+04'00", 1795600980},
        {"D:20261125063300-03'30'", 1795600980},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        time_t t = 0;
        assert_int_equal(time_parse_pdf_date(good[i].text, strlen(good[i].text), &t), 0);
        assert_int_equal(t, good[i].want);
    }
    const char *bad[] = {"", "D:2026112510030", "D:20261125100300", "D:20261325100300Z", "D:20260230100300Z",
                         "D:20261125240300Z", "D:20261125100300+4'00'", "D:20261125100300+04:00", "D:2026112510030xZ",
                         "20261125100300Z", "D:20261125100300Zjunk"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        time_t t;
        assert_int_equal(time_parse_pdf_date(bad[i], strlen(bad[i]), &t), -1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equal_ct_compares_every_byte),
        cmocka_unit_test(test_code_read_lands_on_a_row_either_way),
        cmocka_unit_test(test_pdf_dates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

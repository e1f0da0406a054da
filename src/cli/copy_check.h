/* What the command line adds to a database copy (`arayis store copy`, `arayis backup` on PostgreSQL): every copied
   document's SHA-256 checked against its certificate's, and each table's row count printed. */
#ifndef ARAYIS_CLI_COPY_CHECK_H
#define ARAYIS_CLI_COPY_CHECK_H

#include <stdio.h>

#include "store/copy.h"

typedef struct copy_check {
    FILE *out;               /* where each table's row count goes; NULL prints nothing */
    long long documents;     /* documents checked so far */
} copy_check;

/* Hooks for copy_database that check each document read back from the target against its certificate's stored
   SHA-256 (a mismatch fails the copy, ERR_CONFLICT naming the certificate number) and print "TABLE: N rows" to
   check->out. check is borrowed and must outlive the copy. */
copy_hooks copy_check_hooks(copy_check *check);

#endif

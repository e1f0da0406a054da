/* The keeper of the validation data that PAdES B-LT documents carry: a background thread collects it at start and
   again half way to the earliest nextUpdate of its OCSP answers, so that issuing never waits on a responder. */
#ifndef ARAYIS_SERVICE_LTV_KEEPER_H
#define ARAYIS_SERVICE_LTV_KEEPER_H

#include "core/err.h"
#include "crypto/ltv.h"

/* Longest pause between two attempts after a failed collection; the first retry comes after 1 s, then doubles. */
#define LTV_RETRY_MAX_MS 60000

typedef struct ltv_keeper ltv_keeper;

/* Starts the thread that collects sets from keys, tsa and ocsp (borrowed: they must outlive the keeper). Returns
   NULL with e set (ERR_NOMEM). */
ltv_keeper *ltv_keeper_start(const keyring *keys, tsa_client *tsa, ocsp_client *ocsp, err *e);

/* Stops the thread and drops the set it holds. k may be NULL. */
void ltv_keeper_stop(ltv_keeper *k);

/* A reference on the current set (release it with ltv_release) while every answer in it is before its nextUpdate;
   otherwise NULL, and the thread is woken to try again at once. Thread-safe. */
ltv_set *ltv_keeper_current(ltv_keeper *k);

/* A reference on the last set collected, fresh or not (for showing what is held), or NULL when none. */
ltv_set *ltv_keeper_last(ltv_keeper *k);

#endif

/* Inside the service layer only: what the use cases share, made once at start-up by services_start. */
#ifndef ARAYIS_SERVICE_CONTEXT_H
#define ARAYIS_SERVICE_CONTEXT_H

#include "core/config.h"
#include "core/metrics.h"
#include "crypto/keyring.h"
#include "crypto/ocsp.h"
#include "crypto/signer.h"
#include "crypto/timestamp.h"
#include "service/issue.h"
#include "service/tlog_append.h"
#include "service/sms_delivery.h"
#include "service/webhook_delivery.h"
#include "service/subtree_cache.h"
#include "service/verify_batch.h"
#include "store/store.h"

struct services {
    const config *cfg;
    store *store;
    metrics *metrics;
    issuer issuer;                   /* points into this struct and the objects below */
    pdf_renderer *renderer;
    signer *signer;
    keyring *keyring;
    tsa_client *tsa;                 /* NULL when no TSA is configured (B-B) */
    X509_STORE *tsa_anchors;         /* what signature timestamps are checked against; NULL when none configured */
    ocsp_client *ocsp;               /* revocation status of signing certificates, kept until nextUpdate */
    struct ltv_keeper *ltv;          /* validation data for B-LT; NULL without a TSA or an OCSP responder for us */
    sms_messages *messages;
    sms_sender *sender;
    webhook_deliverer *webhooks;
    struct resumer *resumer;          /* completes certificates a failed request left pending */
    tlog_appender log;               /* appending to the transparency log (log.enabled 0 when it is off) */
    EVP_PKEY *log_key;               /* signs checkpoints */
    char log_origin[256];            /* the log's name in checkpoints */
    struct log_checkpointer *checkpointer; /* NULL when the log is off */
    subtree_cache *subtrees;         /* upper subtree hashes that proofs read */
    verify_batch *verify_batch;      /* the reads of code checks */
    _Atomic uint64_t log_published;  /* the largest checkpoint size seen: sizes only grow */
    int counter_issued;              /* metrics counter ids */
    int counter_rejected;
    int counter_sms_queued;
    int counter_void;
    int counter_check_reads;
    int counter_checks_read;
};

#endif

/* Handlers of the public transparency log: the latest checkpoint, entries, inclusion and consistency proofs. */
#ifndef ARAYIS_API_LOG_H
#define ARAYIS_API_LOG_H

#include "http/http.h"

void log_checkpoint_get(void *ctx, http_request *req, http_response *res);
void log_entries_get(void *ctx, http_request *req, http_response *res);
void log_inclusion_get(void *ctx, http_request *req, http_response *res);
void log_consistency_get(void *ctx, http_request *req, http_response *res);

#endif

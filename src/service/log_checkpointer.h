/* The transparency log's checkpointer: a thread per node that signs a new checkpoint whenever the tree has grown,
   looking every LOG_CHECKPOINT_INTERVAL_MS. */
#ifndef ARAYIS_SERVICE_LOG_CHECKPOINTER_H
#define ARAYIS_SERVICE_LOG_CHECKPOINTER_H

#include "core/err.h"

struct services; /* service/services.h, which starts the checkpointer */

#define LOG_CHECKPOINT_INTERVAL_MS 250

typedef struct log_checkpointer log_checkpointer;

/* Starts the thread; svc must outlive it. Returns NULL with e set. */
log_checkpointer *log_checkpointer_start(struct services *svc, err *e);

/* Stops the thread after a last checkpoint (of what was appended until then) and frees c. c may be NULL. */
void log_checkpointer_stop(log_checkpointer *c);

#endif

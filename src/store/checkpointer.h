/* Background WAL checkpoints: the committer's COMMITs no longer wait while the WAL is copied into a large database
   file and that file is fsync'ed; a thread of its own does it once the WAL has grown. */
#ifndef ARAYIS_STORE_CHECKPOINTER_H
#define ARAYIS_STORE_CHECKPOINTER_H

#include "store/db.h"

typedef struct checkpointer checkpointer;

/* Starts the thread, which checkpoints through its own connection of the pool, holding the pool's writer lock
   only for the short catch-up that lets the next commit start the WAL over. Returns NULL with e set. */
checkpointer *checkpointer_start(db_pool *connections, err *e);

/* Stops the thread and frees c (closing the last connection checkpoints what is left). c may be NULL. */
void checkpointer_stop(checkpointer *c);

/* Takes over checkpointing for the SQLite connection writer: turns off its own automatic checkpoints and wakes c after
   each commit that leaves CHECKPOINT_PAGES or more pages in the WAL. Call on the connection's thread. */
void checkpointer_watch(checkpointer *c, db *writer);

#endif

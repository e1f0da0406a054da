/* Group commit: the small write transactions of concurrent requests run on one connection inside one SQLite
   transaction and share its durable COMMIT (one WAL fsync for the whole group). */
#ifndef ARAYIS_STORE_GROUPCOMMIT_H
#define ARAYIS_STORE_GROUPCOMMIT_H

#include "store/checkpointer.h"
#include "store/db.h"

typedef struct group_commit group_commit;

/* Starts the committer thread, which writes through its own connection of the pool and leaves its checkpoints to
   cp. Returns NULL with e set. */
group_commit *group_commit_start(db_pool *connections, checkpointer *cp, err *e);

/* Finishes the queued work, stops the thread and frees g. g may be NULL. */
void group_commit_stop(group_commit *g);

/* Runs unordered(d, ctx, e) (unless NULL) and work(d, ctx, e) in the next group transaction and waits until that
   transaction is durable: the unordered parts of the group's writes before it takes the write order, their work
   after (see db_take_order). Returns 0, or -1 with e set: the write failed (the group runs again without it, the
   rest of the group is not affected), or the group transaction failed as a whole (nothing of it was stored). */
int group_commit_run(group_commit *g, store_work unordered, store_work work, void *ctx, err *e);

#endif

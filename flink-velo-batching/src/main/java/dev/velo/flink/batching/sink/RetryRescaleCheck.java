package dev.velo.flink.batching.sink;

import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * Refuses a restore that would write the records of a sink keyed by its primary key out of order.
 *
 * <p>Under RetryWithBackoff the records waiting for a retry when a checkpoint is taken are in the
 * sink's operator list state (a Sink V2 writer's state, a legacy sink function operator's retry
 * queue). Restored at another parallelism, Flink shares that state out among the new subtasks by
 * position, not by key, so a restored record may be written after a newer record of the same key
 * that another subtask writes: an upsert table would keep the older value, silently. For a sink
 * keyed by its primary key that restore fails with {@link #refused}; an append-only sink restores
 * the records at any parallelism.
 */
@Internal
public final class RetryRescaleCheck {

    private final String tableName;
    private final boolean keyedByPrimaryKey;
    private final int restoredAt;
    // records that waited in a checkpoint taken at another parallelism, and that parallelism
    private long waiting;
    @Nullable private Integer storedAt;

    /** The check of one restoring subtask, at {@code restoredAt}; feed it with {@link #waited}. */
    public RetryRescaleCheck(String tableName, boolean keyedByPrimaryKey, int restoredAt) {
        this.tableName = tableName;
        this.keyedByPrimaryKey = keyedByPrimaryKey;
        this.restoredAt = restoredAt;
    }

    /**
     * Notes {@code records} that waited in a subtask of a checkpoint taken at {@code parallelism}.
     */
    public void waited(int parallelism, long records) {
        if (parallelism != restoredAt) {
            waiting += records;
            if (storedAt == null) {
                storedAt = parallelism;
            }
        }
    }

    /**
     * Fails the restore when {@link #refuses} says so.
     *
     * @param subtask the restoring subtask when it saw only its share of the records (see {@link
     *     #refused}); null when it saw every old subtask's
     * @throws IllegalStateException the error of {@link #refused}
     */
    public void check(@Nullable Integer subtask) {
        if (refuses(keyedByPrimaryKey, waiting, storedAt, restoredAt)) {
            throw refused(tableName, waiting, storedAt, restoredAt, subtask);
        }
    }

    /**
     * Whether a restore must be refused: the sink is keyed by its primary key, records were waiting
     * for a retry and the parallelism that stored them is not the one restoring them. A restore
     * into one subtask is not refused: it gets every record, retries them in the order each old
     * subtask stored them before any new record, and every key's newer records reach it too.
     *
     * @param storedAt the parallelism the records were stored at, null when unknown (a state of an
     *     earlier version, which did not keep it: restored as before)
     */
    public static boolean refuses(
            boolean keyedByPrimaryKey, long waiting, @Nullable Integer storedAt, int restoredAt) {
        return keyedByPrimaryKey
                && waiting > 0
                && storedAt != null
                && storedAt != restoredAt
                && restoredAt != 1;
    }

    /**
     * The error of a refused restore.
     *
     * @param waiting the records waiting for a retry that this check saw: all of them, or with
     *     {@code subtask} the share of that subtask
     * @param subtask the new subtask the records were handed to, when only its share is known; null
     *     when {@code waiting} counts the records of every old subtask
     */
    public static IllegalStateException refused(
            String tableName,
            long waiting,
            int storedAt,
            int restoredAt,
            @Nullable Integer subtask) {
        String count =
                subtask == null
                        ? waiting + (waiting == 1 ? " record was" : " records were")
                        : waiting
                                + (waiting == 1 ? " record" : " records")
                                + " (the share of subtask "
                                + subtask
                                + " of "
                                + restoredAt
                                + ") "
                                + (waiting == 1 ? "was" : "were");
        return new IllegalStateException(
                "Table '"
                        + tableName
                        + "' cannot be restored at parallelism "
                        + restoredAt
                        + ": in the savepoint (or checkpoint), taken at parallelism "
                        + storedAt
                        + ", "
                        + count
                        + " waiting for a retry (RetryWithBackoff). The table has a primary key,"
                        + " and at another parallelism Flink shares the waiting records out among"
                        + " the new subtasks by position, not by key: a restored record could be"
                        + " written after a newer record of the same key and leave the older value"
                        + " in the table, so their order per primary key cannot be kept. Restore"
                        + " at the old parallelism "
                        + storedAt
                        + ", stop that job with a drained savepoint (flink stop --drain"
                        + " --savepointPath <dir> <job id>), which writes the waiting records"
                        + " first, then start from that savepoint at parallelism "
                        + restoredAt
                        + ".");
    }
}

package dev.velo.flink.batching.failure;

import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;

/** FailBatch: fails the task naming the table, the batch, the record (or "flush") and the cause. */
@PublicEvolving
public class VeloBatchFailedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String tableName;
    private final long batchId;
    private final int recordIndex;

    public VeloBatchFailedException(
            String tableName, long batchId, int recordIndex, int attempts, Throwable cause) {
        this(tableName, batchId, recordIndex, attempts, cause, null);
    }

    /**
     * @param why why the configured strategy could not apply (appended to the message), or null
     */
    public VeloBatchFailedException(
            String tableName,
            long batchId,
            int recordIndex,
            int attempts,
            Throwable cause,
            @Nullable String why) {
        super(
                message(tableName, batchId, recordIndex, attempts, cause)
                        + (why == null ? "" : " (" + why + ")"),
                cause);
        this.tableName = tableName;
        this.batchId = batchId;
        this.recordIndex = recordIndex;
    }

    private static String message(
            String tableName, long batchId, int recordIndex, int attempts, Throwable cause) {
        return "Table '"
                + tableName
                + "': batch "
                + batchId
                + " failed at "
                + (recordIndex < 0 ? "flush" : "record index " + recordIndex)
                + (attempts > 1 ? " after " + attempts + " attempts" : "")
                + ": "
                + cause.getClass().getName()
                + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }

    public String getTableName() {
        return tableName;
    }

    public long getBatchId() {
        return batchId;
    }

    /** The failed record's index in the batch, or -1 when the batch failed at flush. */
    public int getRecordIndex() {
        return recordIndex;
    }
}

package dev.velo.flink.sql.format;

import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.sql.dlq.DlqWriterFactory;
import java.io.Serializable;
import java.util.UUID;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/** What a guarded format needs to know of its velo table: the source failure handling and DLQ. */
@Internal
public final class SourceGuardSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    final String tableName;
    final String innerFormat;
    final FailureConfig failure;
    @Nullable final DlqWriterFactory dlq;

    /** Unique per planned table source: keys the per-subtask state of its decoders. */
    final String guardId = UUID.randomUUID().toString();

    public SourceGuardSettings(
            String tableName,
            String innerFormat,
            FailureConfig failure,
            @Nullable DlqWriterFactory dlq) {
        this.tableName = tableName;
        this.innerFormat = innerFormat;
        this.failure = failure;
        this.dlq = dlq;
    }
}

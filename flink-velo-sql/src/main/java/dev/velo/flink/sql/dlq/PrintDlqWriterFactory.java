package dev.velo.flink.sql.dlq;

import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.dlq.DeadLetterWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.table.data.RowData;

/**
 * Prints dead letters to standard out (or err) as {@code <identifier>:<subtask>> <json>}, encoded
 * by flink-json. Flink 2.3's {@code print} connector is a legacy sink function that needs its
 * operator's runtime context, so it cannot be opened inside another writer: its table factory only
 * validates the options.
 */
@Internal
final class PrintDlqWriterFactory extends DlqWriterFactory {
    private static final long serialVersionUID = 1L;

    private final String identifier;
    private final boolean stdErr;
    private final SerializationSchema<RowData> encoder;

    PrintDlqWriterFactory(String identifier, boolean stdErr, SerializationSchema<RowData> encoder) {
        this.identifier = identifier;
        this.stdErr = stdErr;
        this.encoder = encoder;
    }

    @Override
    public DeadLetterWriter open(TaskInfo taskInfo, MetricGroup callerGroup) throws IOException {
        DeadLetterLines lines = DeadLetterLines.open(encoder, callerGroup);
        String prefix = identifier + ":" + taskInfo.getIndexOfThisSubtask() + "> ";
        PrintStream out = stdErr ? System.err : System.out;
        return new DeadLetterWriter() {
            @Override
            public void write(DeadLetter deadLetter) {
                out.print(prefix + new String(lines.encode(deadLetter), StandardCharsets.UTF_8));
            }

            @Override
            public void flush() {
                out.flush();
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public String describe() {
        return "print";
    }
}

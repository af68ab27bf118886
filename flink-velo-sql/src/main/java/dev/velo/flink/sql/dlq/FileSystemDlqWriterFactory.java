package dev.velo.flink.sql.dlq;

import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.dlq.DeadLetterWriter;
import java.io.IOException;
import java.util.UUID;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.table.data.RowData;

/**
 * Writes dead letters under a directory of any Flink file system, one line per dead letter encoded
 * by the DLQ's row format ({@code json}, {@code csv}, ...) exactly as the filesystem connector
 * writes a row format, one file per subtask and attempt. The filesystem connector's streaming sink
 * is a DataStream topology that cannot run inside another writer, so its table factory only
 * validates the options; {@code flush()} syncs the file, so a dead letter is durable before the
 * checkpoint that skips its record. A filesystem table with the dead-letter schema and the same
 * format reads the directory back.
 */
@Internal
final class FileSystemDlqWriterFactory extends DlqWriterFactory {
    private static final long serialVersionUID = 1L;

    private final String directory;
    private final String tableName;
    private final String format;
    private final SerializationSchema<RowData> encoder;

    FileSystemDlqWriterFactory(
            String directory,
            String tableName,
            String format,
            SerializationSchema<RowData> encoder) {
        this.directory = directory;
        this.tableName = tableName;
        this.format = format;
        this.encoder = encoder;
    }

    @Override
    public DeadLetterWriter open(TaskInfo taskInfo, MetricGroup callerGroup) throws IOException {
        String safeTable = tableName.replaceAll("[^A-Za-z0-9_-]", "_");
        Path file =
                new Path(
                        directory,
                        "dlq-"
                                + safeTable
                                + "-"
                                + taskInfo.getIndexOfThisSubtask()
                                + "-"
                                + taskInfo.getAttemptNumber()
                                + "-"
                                + UUID.randomUUID()
                                + "."
                                + format.replaceAll("[^A-Za-z0-9_-]", "_"));
        return new Writer(file, DeadLetterLines.open(encoder, callerGroup));
    }

    @Override
    public String describe() {
        return "filesystem directory '" + directory + "' (" + format + ")";
    }

    private static final class Writer implements DeadLetterWriter {
        private final Path file;
        private final DeadLetterLines lines;
        private FSDataOutputStream out;

        Writer(Path file, DeadLetterLines lines) {
            this.file = file;
            this.lines = lines;
        }

        @Override
        public void write(DeadLetter deadLetter) throws IOException {
            byte[] line = lines.encode(deadLetter);
            if (out == null) {
                // Created on first use, so a job without failures leaves no empty files behind.
                out = file.getFileSystem().create(file, FileSystem.WriteMode.NO_OVERWRITE);
            }
            out.write(line);
        }

        @Override
        public void flush() throws IOException {
            if (out != null) {
                out.flush();
                out.sync();
            }
        }

        @Override
        public void close() throws IOException {
            if (out != null) {
                out.close();
                out = null;
            }
        }
    }
}

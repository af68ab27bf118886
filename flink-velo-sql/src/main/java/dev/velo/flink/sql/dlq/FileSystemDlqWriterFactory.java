package dev.velo.flink.sql.dlq;

import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.dlq.DeadLetterWriter;
import java.io.IOException;
import java.util.UUID;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Writes dead letters as JSON lines under a directory of any Flink file system, one file per
 * subtask and attempt; {@code flush()} syncs the file, so a dead letter is durable before the
 * checkpoint that skips its record. The directory reads back with the filesystem connector.
 */
@Internal
public final class FileSystemDlqWriterFactory extends DlqWriterFactory {
    private static final long serialVersionUID = 1L;

    private final String directory;
    private final String tableName;

    public FileSystemDlqWriterFactory(String directory, String tableName) {
        this.directory = directory;
        this.tableName = tableName;
    }

    @Override
    public DeadLetterWriter open(int subtaskIndex, int attemptNumber) {
        String safeTable = tableName.replaceAll("[^A-Za-z0-9_-]", "_");
        Path file =
                new Path(
                        directory,
                        "dlq-"
                                + safeTable
                                + "-"
                                + subtaskIndex
                                + "-"
                                + attemptNumber
                                + "-"
                                + UUID.randomUUID()
                                + ".json");
        return new Writer(file);
    }

    @Override
    public String describe() {
        return "directory '" + directory + "'";
    }

    private static final class Writer implements DeadLetterWriter {
        private final Path file;
        private FSDataOutputStream out;

        Writer(Path file) {
            this.file = file;
        }

        @Override
        public void write(DeadLetter deadLetter) throws IOException {
            if (out == null) {
                // Created on first use, so a job without failures leaves no empty files behind.
                out = file.getFileSystem().create(file, FileSystem.WriteMode.NO_OVERWRITE);
            }
            out.write(DeadLetterSchema.toJson(deadLetter));
            out.write('\n');
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

package dev.velo.flink.sql.docs;

import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.dlq.DeadLetterWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The dead-letter writer of docs/datastream-api.md, verbatim. */
class MyDeadLetterWriter implements DeadLetterWriter {
    private final List<DeadLetter> buffer = new ArrayList<>();

    @Override
    public void write(DeadLetter letter) {
        buffer.add(letter); // buffer it (or send it right away)
    }

    @Override
    public void flush() throws IOException {
        for (DeadLetter letter : buffer) { // a real writer sends to a durable store here
            System.err.println(letter.getTableName() + ": " + letter.getErrorMessage());
        }
        buffer.clear();
    }

    @Override
    public void close() {}
}

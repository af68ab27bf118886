package dev.velo.flink.batching.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.BatchStrategy;
import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.dlq.DeadLetter;
import dev.velo.flink.batching.dlq.DeadLetterWriter;
import dev.velo.flink.batching.dlq.DeadLetterWriterFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code VeloBatching.sinkTo}: a failing delegate sink with a DLQ on a MiniCluster. */
class VeloSinkITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(ItSupport.cluster(REPORTER));

    private static final int N = 1000;
    private static final Queue<Long> WRITTEN = new ConcurrentLinkedQueue<>();
    private static final Queue<Long> PENDING_FLUSH = new ConcurrentLinkedQueue<>();
    private static final Queue<DeadLetter> DEAD = new ConcurrentLinkedQueue<>();

    /** Buffers writes until flush, like a real client; rejects multiples of 5. */
    static final class RejectingSink implements Sink<Long> {
        @Override
        public SinkWriter<Long> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                private final List<Long> buffer = new ArrayList<>();

                @Override
                public void write(Long element, Context context) throws IOException {
                    if (element % 5 == 0) {
                        throw new IllegalArgumentException("rejected " + element);
                    }
                    buffer.add(element);
                }

                @Override
                public void flush(boolean endOfInput) {
                    WRITTEN.addAll(buffer);
                    buffer.clear();
                }

                @Override
                public void close() {
                    PENDING_FLUSH.addAll(buffer);
                }
            };
        }
    }

    /** Keeps dead letters in memory once flushed. */
    static final class MemoryDlq implements DeadLetterWriterFactory {
        @Override
        public DeadLetterWriter create(WriterInitContext context) {
            return new DeadLetterWriter() {
                private final List<DeadLetter> pending = new ArrayList<>();

                @Override
                public void write(DeadLetter dl) {
                    pending.add(dl);
                }

                @Override
                public void flush() {
                    DEAD.addAll(pending);
                    pending.clear();
                }

                @Override
                public void close() {}
            };
        }
    }

    @Test
    void writtenPlusDeadLetteredIsEverything() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(50);
        BatchConfig batch =
                BatchConfig.builder()
                        .strategy(new BatchStrategy.FixedSize(64))
                        .batchTimeout(Duration.ofMillis(20))
                        .build();
        VeloBatching.of(env.fromSequence(1, N), batch)
                .withFailureConfig(FailureConfig.of(FailureStrategy.SEND_TO_DLQ))
                .named("sink-it")
                .sinkTo(new RejectingSink(), new MemoryDlq());
        org.apache.flink.api.common.JobID job = env.execute("velo-sink-it").getJobID();

        assertThat(PENDING_FLUSH).as("every write was flushed").isEmpty();
        List<Long> dead =
                DEAD.stream()
                        .map(
                                d ->
                                        Long.parseLong(
                                                new String(d.getPayload(), StandardCharsets.UTF_8)))
                        .collect(Collectors.toList());
        // exactly the rejected records are dead-lettered, each once
        assertThat(dead)
                .containsExactlyInAnyOrderElementsOf(
                        LongStream.rangeClosed(1, N)
                                .filter(x -> x % 5 == 0)
                                .boxed()
                                .collect(Collectors.toList()));
        assertThat(DEAD).allSatisfy(d -> assertThat(d.getSide()).isEqualTo("sink"));
        // every other record is written, some twice: finding which record failed sends records
        // again (at-least-once)
        assertThat(new HashSet<>(WRITTEN))
                .containsExactlyInAnyOrderElementsOf(
                        LongStream.rangeClosed(1, N)
                                .filter(x -> x % 5 != 0)
                                .boxed()
                                .collect(Collectors.toList()));
        assertThat(ItSupport.counter(REPORTER, job, "numRecordsIn")).isEqualTo(N);
        assertThat(ItSupport.counter(REPORTER, job, "numRecordsOut")).isEqualTo(N - N / 5);
        assertThat(ItSupport.counter(REPORTER, job, "numRecordsDeadLettered")).isEqualTo(N / 5);
    }
}

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
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code VeloBatching.sinkTo} in front of a Kafka-like writer that reports a failed send on a later
 * call: exactly the failed records are dead-lettered, every other one is delivered.
 */
class VeloSinkBlameITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(ItSupport.cluster(REPORTER));

    private static final int N = 1000;
    private static final Queue<Long> DELIVERED = new ConcurrentLinkedQueue<>();
    private static final Queue<DeadLetter> DEAD = new ConcurrentLinkedQueue<>();

    private static boolean lost(long x) {
        return x % 97 == 0;
    }

    /** Sends of multiples of 97 fail in the background and are reported by the next call. */
    static final class LateReportingSink implements Sink<Long> {
        @Override
        public SinkWriter<Long> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                private IOException unreported;

                @Override
                public void write(Long element, Context context) throws IOException {
                    report();
                    if (lost(element)) {
                        unreported = new IOException("send of " + element + " failed");
                    } else {
                        DELIVERED.add(element);
                    }
                }

                @Override
                public void flush(boolean endOfInput) throws IOException {
                    report();
                }

                private void report() throws IOException {
                    IOException e = unreported;
                    unreported = null;
                    if (e != null) {
                        throw e;
                    }
                }

                @Override
                public void close() {}
            };
        }
    }

    /** Keeps dead letters once flushed. */
    static final class MemoryDlq implements DeadLetterWriterFactory {
        @Override
        public DeadLetterWriter create(WriterInitContext context) {
            return new DeadLetterWriter() {
                private final Queue<DeadLetter> pending = new ConcurrentLinkedQueue<>();

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
    void exactlyTheRecordsWhoseSendFailedAreDeadLettered() throws Exception {
        BatchConfig fixed =
                BatchConfig.builder()
                        .strategy(new BatchStrategy.FixedSize(64))
                        .batchTimeout(Duration.ofMillis(20))
                        .build();
        for (BatchConfig batch : List.of(fixed, BatchConfig.disabled())) {
            DELIVERED.clear();
            DEAD.clear();
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(2);
            env.enableCheckpointing(50);
            VeloBatching.of(env.fromSequence(1, N), batch)
                    .withFailureConfig(FailureConfig.of(FailureStrategy.SEND_TO_DLQ))
                    .named("blame-it")
                    .sinkTo(new LateReportingSink(), new MemoryDlq());
            JobID job = env.execute("velo-sink-blame-it").getJobID();

            List<Long> dead =
                    DEAD.stream()
                            .map(d -> new String(d.getPayload(), StandardCharsets.UTF_8))
                            .map(Long::parseLong)
                            .collect(Collectors.toList());
            assertThat(dead)
                    .as("batching %s", batch.isEnabled())
                    .containsExactlyInAnyOrderElementsOf(
                            LongStream.rangeClosed(1, N)
                                    .filter(VeloSinkBlameITCase::lost)
                                    .boxed()
                                    .collect(Collectors.toList()));
            assertThat(new HashSet<>(DELIVERED))
                    .as("batching %s", batch.isEnabled())
                    .containsExactlyInAnyOrderElementsOf(
                            LongStream.rangeClosed(1, N)
                                    .filter(x -> !lost(x))
                                    .boxed()
                                    .collect(Collectors.toList()));
            long lostCount = LongStream.rangeClosed(1, N).filter(VeloSinkBlameITCase::lost).count();
            assertThat(ItSupport.counter(REPORTER, job, "numRecordsIn")).isEqualTo(N);
            assertThat(ItSupport.counter(REPORTER, job, "numRecordsOut")).isEqualTo(N - lostCount);
            assertThat(ItSupport.counter(REPORTER, job, "numRecordsDeadLettered"))
                    .isEqualTo(lostCount);
        }
    }
}

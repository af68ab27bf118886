package dev.velo.flink.sql.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A real single-node KRaft broker: produce, consume, restart on the same ports, clean-up. */
class EmbeddedKafkaITCase {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void producesConsumesAndSurvivesARestart() {
        Path dataDir;
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            String bootstrap = kafka.bootstrapServers();
            assertThat(bootstrap).matches("127\\.0\\.0\\.1:\\d+");
            dataDir = kafka.dataDirectory();
            assertThat(dataDir).isDirectory();

            kafka.createTopic("orders", 3);
            List<String> first = numbered("a", 30);
            kafka.produceStrings("orders", first);

            List<EmbeddedKafka.Record> read = kafka.consumeAll("orders", 30, WAIT);
            assertThat(read)
                    .extracting(EmbeddedKafka.Record::valueAsString)
                    .containsExactlyInAnyOrderElementsOf(first);
            // the sticky partitioner may use a single partition; offsets within one are 0, 1, ...
            assertThat(read).allSatisfy(r -> assertThat(r.partition()).isBetween(0, 2));
            int p = read.get(0).partition();
            assertThat(read.stream().filter(r -> r.partition() == p).map(r -> r.offset()))
                    .startsWith(0L, 1L);

            kafka.stop();
            assertThat(kafka.isRunning()).isFalse();
            kafka.restart();
            assertThat(kafka.isRunning()).isTrue();
            assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);

            // data written before the restart is still there, and the broker takes new writes
            kafka.produce("orders", List.of("after".getBytes()));
            assertThat(kafka.consumeStrings("orders", 31, WAIT))
                    .hasSize(31)
                    .containsAll(first)
                    .contains("after");
            // fewer records than asked for: returns what is there once the timeout passes
            assertThat(kafka.consumeAll("orders", 40, Duration.ofSeconds(1))).hasSize(31);
        }
        assertThat(Files.exists(dataDir)).as("data dir deleted on close").isFalse();
    }

    private static List<String> numbered(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> prefix + i).collect(Collectors.toList());
    }
}

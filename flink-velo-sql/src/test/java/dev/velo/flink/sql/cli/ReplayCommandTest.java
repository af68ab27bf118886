package dev.velo.flink.sql.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.apache.flink.table.catalog.ObjectIdentifier;
import org.junit.jupiter.api.Test;

/** Arguments, filter and DLQ table of {@code velo replay}. */
class ReplayCommandTest {

    private static final long NOW = 1_796_050_800_000L;

    @Test
    void parsesTheArguments() {
        ReplayRequest r =
                ReplayRequest.parse(
                        List.of(
                                "job.sql",
                                "--table",
                                "orders_out",
                                "--error-class",
                                "java.io.IOException",
                                "--from",
                                "2026-11-30T14:00:00Z"),
                        NOW);
        assertThat(r.file).hasToString("job.sql");
        assertThat(r.table).isEqualTo("orders_out");
        assertThat(r.errorClass).isEqualTo("java.io.IOException");
        assertThat(r.fromMillis).isEqualTo(NOW - 3_600_000L);
        assertThat(r.toMillis).isEqualTo(NOW);
        assertThat(
                        ReplayRequest.parse(List.of("job.sql", "--table", "t", "--to", "5"), NOW)
                                .toMillis)
                .isEqualTo(5L);
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> ReplayRequest.parse(List.of("job.sql"), NOW))
                .hasMessageContaining("--table NAME is required");
        assertThatThrownBy(() -> ReplayRequest.parse(List.of("--table", "t"), NOW))
                .hasMessageContaining("give the FILE.sql");
        assertThatThrownBy(
                        () ->
                                ReplayRequest.parse(
                                        List.of("job.sql", "--table", "t", "--from", "noon"), NOW))
                .hasMessageContaining("invalid value 'noon' for --from")
                .hasMessageContaining("ISO-8601");
        assertThatThrownBy(
                        () ->
                                ReplayRequest.parse(
                                        List.of(
                                                "job.sql", "--table", "t", "--from", "9", "--to",
                                                "9"),
                                        NOW))
                .hasMessageContaining("must be before --to");
        assertThatThrownBy(
                        () -> ReplayRequest.parse(List.of("job.sql", "--table", "t", "--all"), NOW))
                .hasMessageContaining("unknown option --all");
    }

    @Test
    void selectsTheTablesSinkDeadLettersOfTheWindow() {
        ReplayRequest r =
                ReplayRequest.parse(
                        List.of("j.sql", "--table", "t", "--from", "1000", "--error-class", "a'b"),
                        NOW);
        assertThat(ReplayDlqTable.filter("it's", r))
                .isEqualTo(
                        "side = 'sink' AND table_name = 'it''s' AND failed_at <"
                                + " TO_TIMESTAMP_LTZ("
                                + NOW
                                + ", 3) AND failed_at >= TO_TIMESTAMP_LTZ(1000, 3) AND error_class"
                                + " = 'a''b'");
    }

    @Test
    void readsAKafkaDlqBoundedWithTheTablesDlqOptions() {
        String ddl =
                ReplayDlqTable.ddl(
                        ObjectIdentifier.of("c", "d", "orders_out"),
                        "kafka",
                        Map.of(
                                "connector", "velo",
                                "dlq.connector", "kafka",
                                "dlq.topic", "orders-dlq",
                                "dlq.properties.bootstrap.servers", "b:9092",
                                "topic", "orders-out"));
        assertThat(ddl)
                .contains("'topic' = 'orders-dlq'")
                .contains("'properties.bootstrap.servers' = 'b:9092'")
                .contains("'format' = 'json'")
                .contains("'key.fields' = 'table_name'")
                .contains("'scan.startup.mode' = 'earliest-offset'")
                .contains("'scan.bounded.mode' = 'latest-offset'")
                .contains("METADATA FROM 'offset'")
                .doesNotContain("orders-out");
    }
}

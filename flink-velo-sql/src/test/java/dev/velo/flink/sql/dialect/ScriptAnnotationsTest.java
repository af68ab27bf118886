package dev.velo.flink.sql.dialect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.junit.jupiter.api.Test;

/** The {@code -- @name: value} lines alone. */
class ScriptAnnotationsTest {

    @Test
    void everyAnnotationIsReadByItsLowerCaseNameWithoutTrailingComments() {
        ScriptAnnotations a =
                ScriptAnnotations.read(
                        "-- @Name: orders job # the name\n"
                                + "  --@owner team-a\n"
                                + "-- @empty: # nothing\n"
                                + "SELECT 1 -- @not_an_annotation: x\n");
        assertThat(a.values())
                .containsExactly(
                        entry("name", "orders job"), entry("owner", "team-a"), entry("empty", ""));
        assertThat(a.errors()).isEmpty();
        assertThat(a.runtimeMode()).isNull();
        assertThat(a.batchSize()).isNull();
    }

    @Test
    void batchSizeMustBeAPositiveInteger() {
        assertThat(ScriptAnnotations.read("-- @batch_size: 250").batchSize()).isEqualTo(250);
        ScriptAnnotations bad = ScriptAnnotations.read("\n  -- @batch_size: 0");
        assertThat(bad.batchSize()).isNull();
        assertThat(bad.errors()).hasSize(1);
        assertThat(bad.errors().get(0).getLine()).isEqualTo(2);
        assertThat(bad.errors().get(0).getColumn()).isEqualTo(6);
        assertThat(bad.errors().get(0).getDetail())
                .isEqualTo("@batch_size: '0' is not a positive integer");
        assertThat(ScriptAnnotations.read("-- @batch_size: many").errors()).hasSize(1);
    }

    @Test
    void jobModeBatchOrStreamingSetsTheRuntimeModeOthersAreANote() {
        assertThat(ScriptAnnotations.read("-- @job_mode: Batch").runtimeMode())
                .isEqualTo(RuntimeExecutionMode.BATCH);
        assertThat(ScriptAnnotations.read("-- @job_mode: streaming").runtimeMode())
                .isEqualTo(RuntimeExecutionMode.STREAMING);
        ScriptAnnotations other = ScriptAnnotations.read("-- @job_mode: transactional");
        assertThat(other.runtimeMode()).isNull();
        assertThat(other.notes())
                .containsExactly(
                        "@job_mode: transactional is a Velostream processor mode; Flink runs the"
                                + " script in its default (streaming) mode");
    }
}

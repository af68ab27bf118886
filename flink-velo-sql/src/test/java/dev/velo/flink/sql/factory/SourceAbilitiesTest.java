package dev.velo.flink.sql.factory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.abilities.SupportsFilterPushDown;
import org.apache.flink.table.connector.source.abilities.SupportsLimitPushDown;
import org.apache.flink.table.connector.source.abilities.SupportsProjectionPushDown;
import org.apache.flink.table.connector.source.abilities.SupportsReadingMetadata;
import org.apache.flink.table.connector.source.abilities.SupportsSourceWatermark;
import org.apache.flink.table.connector.source.abilities.SupportsWatermarkPushDown;
import org.apache.flink.table.expressions.ResolvedExpression;
import org.apache.flink.table.types.DataType;
import org.junit.jupiter.api.Test;

/**
 * The velo source is seen by the planner with exactly the wrapped source's abilities ({@code
 * instanceof}), forwards their calls and re-wraps copies; its format option space is the real
 * format's, under the user's key names.
 */
class SourceAbilitiesTest {

    private static final VeloTableSettings SETTINGS =
            TestContexts.settings("t", Map.of("connector", "velo", "velo.connector", "fake"));

    /** A source with three abilities that records the calls it gets. */
    static class FakeSource
            implements ScanTableSource,
                    SupportsSourceWatermark,
                    SupportsProjectionPushDown,
                    SupportsFilterPushDown {
        final List<String> calls;

        FakeSource(List<String> calls) {
            this.calls = calls;
        }

        @Override
        public ChangelogMode getChangelogMode() {
            return ChangelogMode.upsert();
        }

        @Override
        public ScanRuntimeProvider getScanRuntimeProvider(ScanContext runtimeProviderContext) {
            throw new UnsupportedOperationException();
        }

        @Override
        public DynamicTableSource copy() {
            calls.add("copy");
            return new FakeSource(calls);
        }

        @Override
        public String asSummaryString() {
            return "fake";
        }

        @Override
        public void applySourceWatermark() {
            calls.add("applySourceWatermark");
        }

        @Override
        public boolean supportsNestedProjection() {
            return true;
        }

        @Override
        public void applyProjection(int[][] projectedFields, DataType producedDataType) {
            calls.add("applyProjection " + projectedFields.length);
        }

        @Override
        public Result applyFilters(List<ResolvedExpression> filters) {
            calls.add("applyFilters");
            return Result.of(List.of(), filters);
        }
    }

    /** A source with no ability at all. */
    static class BareSource extends FakeSource {
        BareSource() {
            super(new ArrayList<>());
        }
    }

    @Test
    void theVeloSourceHasExactlyTheWrappedSourcesAbilities() {
        List<String> calls = new ArrayList<>();
        ScanTableSource velo = VeloDynamicTableSource.wrap(new FakeSource(calls), SETTINGS);
        assertThat(velo)
                .isInstanceOf(SupportsSourceWatermark.class)
                .isInstanceOf(SupportsProjectionPushDown.class)
                .isInstanceOf(SupportsFilterPushDown.class)
                .isNotInstanceOf(SupportsReadingMetadata.class)
                .isNotInstanceOf(SupportsWatermarkPushDown.class)
                .isNotInstanceOf(SupportsLimitPushDown.class);
        assertThat(velo.getChangelogMode()).isEqualTo(ChangelogMode.upsert());
        assertThat(velo.asSummaryString()).isEqualTo("velo(fake)");

        ((SupportsSourceWatermark) velo).applySourceWatermark();
        ((SupportsProjectionPushDown) velo).applyProjection(new int[][] {{0}, {2}}, null);
        assertThat(((SupportsProjectionPushDown) velo).supportsNestedProjection()).isTrue();
        assertThat(((SupportsFilterPushDown) velo).applyFilters(List.of()).getRemainingFilters())
                .isEmpty();
        assertThat(calls)
                .containsExactly("applySourceWatermark", "applyProjection 2", "applyFilters");

        DynamicTableSource copy = velo.copy();
        assertThat(calls).endsWith("copy");
        assertThat(copy)
                .isNotSameAs(velo)
                .isInstanceOf(SupportsSourceWatermark.class)
                .isNotInstanceOf(SupportsReadingMetadata.class);
        assertThat(VeloDynamicTableSource.delegateOf(copy)).isInstanceOf(FakeSource.class);
        assertThat(copy.asSummaryString()).isEqualTo("velo(fake)");
    }

    @Test
    void aSourceWithoutAbilitiesGivesAVeloSourceWithout() {
        ScanTableSource velo =
                VeloDynamicTableSource.wrap(
                        new ScanTableSource() {
                            @Override
                            public ChangelogMode getChangelogMode() {
                                return ChangelogMode.insertOnly();
                            }

                            @Override
                            public ScanRuntimeProvider getScanRuntimeProvider(ScanContext c) {
                                throw new UnsupportedOperationException();
                            }

                            @Override
                            public DynamicTableSource copy() {
                                return this;
                            }

                            @Override
                            public String asSummaryString() {
                                return "bare";
                            }
                        },
                        SETTINGS);
        assertThat(velo.getClass().getInterfaces()).containsExactly(ScanTableSource.class);
        // subclasses inherit their parent's abilities, and so does their velo source
        assertThat(VeloDynamicTableSource.wrap(new BareSource(), SETTINGS))
                .isInstanceOf(SupportsSourceWatermark.class);
        DynamicTableSource same =
                VeloDynamicTableSource.wrap(VeloDynamicTableSource.delegateOf(velo), SETTINGS);
        assertThat(velo).isEqualTo(same).hasSameHashCodeAs(same);
    }

    private static TableEnvironment env() {
        return TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    }

    private static String kafkaTable(String options) {
        return "CREATE TEMPORARY TABLE t (k STRING, id BIGINT) WITH ('connector'='velo',"
                + " 'velo.connector'='kafka', 'topic'='t',"
                + " 'properties.bootstrap.servers'='127.0.0.1:9', 'scan.startup.mode'='earliest-offset', "
                + options
                + ")";
    }

    @Test
    void theRealFormatsOptionsAreValidatedUnderTheUsersKeys() {
        TableEnvironment env = env();
        env.executeSql(
                kafkaTable(
                        "'format'='json', 'json.ignore-parse-errors'='false',"
                                + " 'source.failure_strategy'='LogAndContinue'"));
        assertThat(env.explainSql("SELECT * FROM t")).contains("TableSourceScan");

        TableEnvironment bad = env();
        bad.executeSql(
                kafkaTable(
                        "'format'='json', 'json.no-such-option'='x',"
                                + " 'source.failure_strategy'='LogAndContinue'"));
        String error = errorOf(() -> bad.explainSql("SELECT * FROM t"));
        // the velo message speaks of the user's keys (its cause, FactoryUtil's, of the rewritten
        // ones)
        assertThat(error)
                .contains("rejected the table: Unsupported options found for 'kafka'")
                .contains("Unsupported options:\n\njson.no-such-option");
    }

    @Test
    void aKeyFormatIsAcceptedWithASourceFailureStrategy() {
        TableEnvironment env = env();
        env.executeSql(
                kafkaTable(
                        "'key.format'='json', 'key.fields'='k', 'value.format'='json',"
                                + " 'value.json.fail-on-missing-field'='false',"
                                + " 'source.failure_strategy'='LogAndContinue'"));
        assertThat(env.explainSql("SELECT * FROM t")).contains("TableSourceScan");
    }

    @Test
    void theGuardedFormatCannotBeNamedDirectly() {
        TableEnvironment env = env();
        env.executeSql(
                "CREATE TEMPORARY TABLE t (id BIGINT) WITH ('connector'='kafka', 'topic'='t',"
                        + " 'properties.bootstrap.servers'='127.0.0.1:9',"
                        + " 'format'='velo-guarded')");
        assertThat(errorOf(() -> env.explainSql("SELECT * FROM t")))
                .contains("internal to the 'velo' connector");
    }

    private static String errorOf(Runnable call) {
        try {
            call.run();
        } catch (Throwable t) {
            return VeloSinkITCase.causeChain(t);
        }
        throw new AssertionError("expected a failure");
    }
}

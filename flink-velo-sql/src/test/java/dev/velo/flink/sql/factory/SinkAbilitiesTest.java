package dev.velo.flink.sql.factory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.ExplainDetail;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.StagedTable;
import org.apache.flink.table.catalog.TableDistribution;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.RowLevelModificationScanContext;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.sink.abilities.SupportsBucketing;
import org.apache.flink.table.connector.sink.abilities.SupportsDeletePushDown;
import org.apache.flink.table.connector.sink.abilities.SupportsOverwrite;
import org.apache.flink.table.connector.sink.abilities.SupportsPartitioning;
import org.apache.flink.table.connector.sink.abilities.SupportsRowLevelDelete;
import org.apache.flink.table.connector.sink.abilities.SupportsRowLevelUpdate;
import org.apache.flink.table.connector.sink.abilities.SupportsStaging;
import org.apache.flink.table.connector.sink.abilities.SupportsTargetColumnWriting;
import org.apache.flink.table.connector.sink.abilities.SupportsTruncate;
import org.apache.flink.table.connector.sink.abilities.SupportsWritingMetadata;
import org.apache.flink.table.expressions.ResolvedExpression;
import org.apache.flink.table.types.DataType;
import org.junit.jupiter.api.Test;

/**
 * The velo sink shows the planner exactly the wrapped sink's abilities, forwards their calls, and
 * keeps the planner's distribution for anything but insert-only input without a primary key.
 */
class SinkAbilitiesTest {

    private static final DataType PHYSICAL =
            DataTypes.ROW(DataTypes.FIELD("id", DataTypes.BIGINT()));

    private static DynamicTableSink velo(DynamicTableSink delegate, boolean primaryKey) {
        VeloTableSettings settings = TestContexts.settings("t", Map.of("velo.connector", "fake"));
        return VeloDynamicTableSink.wrap(delegate, settings, PHYSICAL, primaryKey);
    }

    /** Every interface Flink declares in the sink abilities package, read from its JAR. */
    private static List<Class<?>> flinkSinkAbilities()
            throws IOException, URISyntaxException, ClassNotFoundException {
        Path jar =
                Path.of(
                        SupportsWritingMetadata.class
                                .getProtectionDomain()
                                .getCodeSource()
                                .getLocation()
                                .toURI());
        String dir = SinkAbilityProxy.ABILITIES_PACKAGE.replace('.', '/') + '/';
        List<Class<?>> found = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            Enumeration<JarEntry> entries = file.entries();
            while (entries.hasMoreElements()) {
                String name = entries.nextElement().getName();
                if (name.startsWith(dir)
                        && name.endsWith(".class")
                        && !name.contains("$")
                        && name.indexOf('/', dir.length()) < 0) {
                    Class<?> c =
                            Class.forName(name.substring(0, name.length() - 6).replace('/', '.'));
                    if (c.isInterface()) {
                        found.add(c);
                    }
                }
            }
        }
        return found;
    }

    @Test
    void everyFlinkSinkAbilityIsMirroredWhenTheDelegateHasIt() throws Exception {
        List<Class<?>> flink = flinkSinkAbilities();
        assertThat(flink).hasSizeGreaterThanOrEqualTo(10).contains(SupportsWritingMetadata.class);
        // the fake implements every one, so a new Flink ability shows up here first
        assertThat(SinkAbilityProxy.abilitiesOf(AllAbilities.class))
                .containsExactlyInAnyOrderElementsOf(flink);
        DynamicTableSink sink = velo(new AllAbilities(), false);
        for (Class<?> ability : flink) {
            assertThat(ability.isInstance(sink)).as(ability.getSimpleName()).isTrue();
        }
    }

    @Test
    void noAbilityIsClaimedThatTheDelegateLacks() throws Exception {
        DynamicTableSink bare = velo(new NoAbilities(), false);
        for (Class<?> ability : flinkSinkAbilities()) {
            assertThat(ability.isInstance(bare)).as(ability.getSimpleName()).isFalse();
        }
        DynamicTableSink some = velo(new MetadataOnly(), false);
        assertThat(some).isInstanceOf(SupportsWritingMetadata.class);
        assertThat(some).isNotInstanceOf(SupportsPartitioning.class);
        assertThat(some).isNotInstanceOf(SupportsOverwrite.class);
        // abilities inherited from a superclass count as the delegate's own
        assertThat(velo(new InheritsMetadata(), false)).isInstanceOf(SupportsWritingMetadata.class);
    }

    @Test
    void abilityCallsReachTheDelegateAndItsErrorsComeBackUnwrapped() {
        AllAbilities delegate = new AllAbilities();
        DynamicTableSink sink = velo(delegate, false);
        ((SupportsPartitioning) sink).applyStaticPartition(Map.of("dt", "x"));
        ((SupportsOverwrite) sink).applyOverwrite(true);
        assertThat(((SupportsTargetColumnWriting) sink).applyTargetColumns(new int[][] {{0}}))
                .isTrue();
        assertThat(((SupportsBucketing) sink).listAlgorithms())
                .containsExactly(TableDistribution.Kind.HASH);
        assertThat(delegate.calls)
                .containsExactly(
                        "applyStaticPartition{dt=x}",
                        "applyOverwrite true",
                        "applyTargetColumns",
                        "listAlgorithms");
        assertThatThrownBy(((SupportsTruncate) sink)::executeTruncation)
                .isExactlyInstanceOf(UnsupportedOperationException.class)
                .hasMessage("no truncation here");
        assertThat(sink.getChangelogMode(ChangelogMode.all())).isEqualTo(ChangelogMode.upsert());
        assertThat(sink.asSummaryString()).isEqualTo("velo(all)");
        assertThat(sink.toString()).isEqualTo("velo(all)");
    }

    @Test
    void writableMetadataGrowsTheRowUsedForDeadLetters() {
        MetadataOnly delegate = new MetadataOnly();
        DynamicTableSink sink = velo(delegate, false);
        DataType consumed =
                DataTypes.ROW(
                        DataTypes.FIELD("id", DataTypes.BIGINT()),
                        DataTypes.FIELD("ts", DataTypes.TIMESTAMP_LTZ(3)));
        assertThat(((SupportsWritingMetadata) sink).listWritableMetadata()).containsKey("ts");
        ((SupportsWritingMetadata) sink).applyWritableMetadata(List.of("ts"), consumed);
        assertThat(delegate.applied).containsExactly("ts");
        assertThat(SinkAbilityProxy.unwrap(sink).consumedRowType()).isEqualTo(consumed);
        // and a copy keeps it
        assertThat(SinkAbilityProxy.unwrap(sink.copy()).consumedRowType()).isEqualTo(consumed);
    }

    @Test
    void copyCopiesTheDelegateAndKeepsItsAbilities() {
        AllAbilities delegate = new AllAbilities();
        DynamicTableSink sink = velo(delegate, false);
        sink.getChangelogMode(ChangelogMode.insertOnly());
        DynamicTableSink copy = sink.copy();
        assertThat(copy).isNotSameAs(sink);
        VeloDynamicTableSink inner = SinkAbilityProxy.unwrap(copy);
        assertThat(inner.delegate()).isNotSameAs(delegate).isInstanceOf(AllAbilities.class);
        assertThat(copy).isInstanceOf(SupportsWritingMetadata.class);
        assertThat(inner.mayRebalance(false)).isTrue();
        // the copy is independent: calls on it do not reach the original delegate
        ((SupportsOverwrite) copy).applyOverwrite(true);
        assertThat(delegate.calls).isEmpty();
    }

    @Test
    void rebalanceOnlyForInsertOnlyInputWithoutPrimaryKey() {
        // nothing known about the input (a restored compiled plan): keep the distribution
        assertThat(SinkAbilityProxy.unwrap(velo(new NoAbilities(), false)).mayRebalance(false))
                .isFalse();

        DynamicTableSink changelog = velo(new NoAbilities(), false);
        changelog.getChangelogMode(ChangelogMode.all());
        assertThat(SinkAbilityProxy.unwrap(changelog).mayRebalance(false)).isFalse();

        DynamicTableSink inserts = velo(new NoAbilities(), false);
        inserts.getChangelogMode(ChangelogMode.all());
        inserts.getChangelogMode(ChangelogMode.insertOnly());
        assertThat(SinkAbilityProxy.unwrap(inserts).mayRebalance(false)).isTrue();

        DynamicTableSink keyed = velo(new NoAbilities(), true);
        keyed.getChangelogMode(ChangelogMode.insertOnly());
        assertThat(SinkAbilityProxy.unwrap(keyed).mayRebalance(false)).isFalse();
        assertThat(SinkAbilityProxy.unwrap(keyed).mayRebalance(true)).isFalse();

        // a batch plan is insert-only
        assertThat(SinkAbilityProxy.unwrap(velo(new NoAbilities(), false)).mayRebalance(true))
                .isTrue();

        // the wrapped sink asked for its input grouped by partition: keep it grouped
        DynamicTableSink grouped = velo(new AllAbilities(), false);
        assertThat(((SupportsPartitioning) grouped).requiresPartitionGrouping(true)).isTrue();
        assertThat(SinkAbilityProxy.unwrap(grouped).mayRebalance(true)).isFalse();
    }

    // ---- through the planner -------------------------------------------------------------

    private static TableEnvironment env() {
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        env.executeSql(
                "CREATE TEMPORARY TABLE src (k BIGINT, v BIGINT) WITH ("
                        + "'connector'='datagen', 'number-of-rows'='10')");
        return env;
    }

    private static String executionPlan(String sinkDdlTail, String insert) {
        TableEnvironment env = env();
        env.executeSql(
                "CREATE TEMPORARY TABLE t "
                        + sinkDdlTail
                        + " WITH ('connector'='velo', 'velo.connector'='blackhole',"
                        + " 'batch.strategy'='mega_batch', 'batch.parallel'='true')");
        return env.explainSql(insert, ExplainDetail.JSON_EXECUTION_PLAN);
    }

    @Test
    void parallelMegaBatchRebalancesInsertOnlyInputOnly() {
        assertThat(executionPlan("(k BIGINT, v BIGINT)", "INSERT INTO t SELECT k, v FROM src"))
                .contains("velo-sink[t]")
                .contains("REBALANCE");
        // updates without a primary key (blackhole accepts a retract stream)
        assertThat(
                        executionPlan(
                                "(k BIGINT, v BIGINT)",
                                "INSERT INTO t SELECT k, SUM(v) FROM src GROUP BY k"))
                .doesNotContain("velo-sink[t]")
                .doesNotContain("REBALANCE");
        // a primary key, even for insert-only input
        assertThat(
                        executionPlan(
                                "(k BIGINT, v BIGINT, PRIMARY KEY (k) NOT ENFORCED)",
                                "INSERT INTO t SELECT k, v FROM src"))
                .doesNotContain("velo-sink[t]")
                .doesNotContain("REBALANCE");
    }

    @Test
    void theSameAbilityErrorsAsTheWrappedConnector() {
        // kafka has no INSERT OVERWRITE and no partitioning: the planner says so for both
        String kafka = "'topic'='t', 'properties.bootstrap.servers'='127.0.0.1:9', 'format'='json'";
        assertThat(planningError("'connector'='velo', 'velo.connector'='kafka', " + kafka))
                .isEqualTo(planningError("'connector'='kafka', " + kafka))
                .contains("INSERT OVERWRITE");
    }

    private static String planningError(String with) {
        TableEnvironment env = env();
        env.executeSql("CREATE TEMPORARY TABLE t (k BIGINT, v BIGINT) WITH (" + with + ")");
        try {
            env.explainSql("INSERT OVERWRITE t SELECT k, v FROM src");
        } catch (RuntimeException e) {
            return e.getMessage();
        }
        throw new AssertionError("planning must fail");
    }

    // ---- fakes ---------------------------------------------------------------------------

    /** A sink implementing no ability. */
    static class NoAbilities implements DynamicTableSink {
        final List<String> calls = new ArrayList<>();

        @Override
        public ChangelogMode getChangelogMode(ChangelogMode requestedMode) {
            return ChangelogMode.upsert();
        }

        @Override
        public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
            throw new UnsupportedOperationException();
        }

        @Override
        public DynamicTableSink copy() {
            return new NoAbilities();
        }

        @Override
        public String asSummaryString() {
            return "none";
        }
    }

    /** A sink writing one metadata column. */
    static class MetadataOnly extends NoAbilities implements SupportsWritingMetadata {
        final List<String> applied = new ArrayList<>();

        @Override
        public Map<String, DataType> listWritableMetadata() {
            return Map.of("ts", DataTypes.TIMESTAMP_LTZ(3));
        }

        @Override
        public void applyWritableMetadata(List<String> metadataKeys, DataType consumedDataType) {
            applied.addAll(metadataKeys);
        }

        @Override
        public DynamicTableSink copy() {
            return new MetadataOnly();
        }
    }

    /** Gets its ability from its superclass. */
    static class InheritsMetadata extends MetadataOnly {}

    /** A sink implementing every sink ability of Flink 2.3. */
    static class AllAbilities extends NoAbilities
            implements SupportsBucketing,
                    SupportsDeletePushDown,
                    SupportsOverwrite,
                    SupportsPartitioning,
                    SupportsRowLevelDelete,
                    SupportsRowLevelUpdate,
                    SupportsStaging,
                    SupportsTargetColumnWriting,
                    SupportsTruncate,
                    SupportsWritingMetadata {

        @Override
        public Set<TableDistribution.Kind> listAlgorithms() {
            calls.add("listAlgorithms");
            return Set.of(TableDistribution.Kind.HASH);
        }

        @Override
        public boolean requiresBucketCount() {
            return false;
        }

        @Override
        public boolean applyDeleteFilters(List<ResolvedExpression> filters) {
            return false;
        }

        @Override
        public Optional<Long> executeDeletion() {
            return Optional.empty();
        }

        @Override
        public void applyOverwrite(boolean overwrite) {
            calls.add("applyOverwrite " + overwrite);
        }

        @Override
        public void applyStaticPartition(Map<String, String> partition) {
            calls.add("applyStaticPartition" + partition);
        }

        @Override
        public boolean requiresPartitionGrouping(boolean supportsGrouping) {
            return supportsGrouping;
        }

        @Override
        public RowLevelDeleteInfo applyRowLevelDelete(RowLevelModificationScanContext context) {
            return new RowLevelDeleteInfo() {};
        }

        @Override
        public RowLevelUpdateInfo applyRowLevelUpdate(
                List<Column> updatedColumns, RowLevelModificationScanContext context) {
            return new RowLevelUpdateInfo() {};
        }

        @Override
        public StagedTable applyStaging(StagingContext context) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean applyTargetColumns(int[][] targetColumns) {
            calls.add("applyTargetColumns");
            return true;
        }

        @Override
        public void executeTruncation() {
            throw new UnsupportedOperationException("no truncation here");
        }

        @Override
        public Map<String, DataType> listWritableMetadata() {
            return Map.of();
        }

        @Override
        public void applyWritableMetadata(List<String> metadataKeys, DataType consumedDataType) {}

        @Override
        public DynamicTableSink copy() {
            return new AllAbilities();
        }

        @Override
        public String asSummaryString() {
            return "all";
        }
    }
}

package dev.velo.flink.sql.factory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.ProviderContext;
import org.apache.flink.table.connector.source.DataStreamScanProvider;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.LookupTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.lookup.LookupFunctionProvider;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.functions.LookupFunction;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;

/**
 * A test dimension table ({@code 'connector' = 'velo-test-lookup'}) of schema {@code (id INT, name
 * STRING)} holding the rows {@code (i, "name-i")} for {@code i} in {@code [0, rows)}: a lookup
 * source, and also a scan source when {@code scan = true}. It counts its lookups, so a test can
 * tell that a join really looked rows up.
 */
public final class LookupTestTableFactory implements DynamicTableSourceFactory {

    static final ConfigOption<Integer> ROWS = ConfigOptions.key("rows").intType().defaultValue(10);
    static final ConfigOption<Boolean> SCAN =
            ConfigOptions.key("scan").booleanType().defaultValue(false);

    @Override
    public String factoryIdentifier() {
        return "velo-test-lookup";
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of();
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(ROWS, SCAN);
    }

    @Override
    public DynamicTableSource createDynamicTableSource(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        helper.validate();
        RowType type =
                (RowType)
                        context.getCatalogTable()
                                .getResolvedSchema()
                                .toPhysicalRowDataType()
                                .getLogicalType();
        int rows = helper.getOptions().get(ROWS);
        return helper.getOptions().get(SCAN)
                ? new ScanAndLookup(rows, type)
                : new LookupOnly(rows, type);
    }

    static RowData row(int id) {
        return GenericRowData.of(id, StringData.fromString("name-" + id));
    }

    /** A lookup-only source. */
    static class LookupOnly implements LookupTableSource {
        final int rows;
        final RowType type;

        LookupOnly(int rows, RowType type) {
            this.rows = rows;
            this.type = type;
        }

        @Override
        public LookupRuntimeProvider getLookupRuntimeProvider(LookupContext context) {
            int[][] keys = context.getKeys();
            if (keys.length != 1 || keys[0].length != 1 || keys[0][0] != 0) {
                throw new IllegalArgumentException("looks up by id only");
            }
            return LookupFunctionProvider.of(new ById(rows));
        }

        @Override
        public DynamicTableSource copy() {
            return new LookupOnly(rows, type);
        }

        @Override
        public String asSummaryString() {
            return "velo-test-lookup";
        }
    }

    /** A source that is both a scan and a lookup source. */
    static final class ScanAndLookup extends LookupOnly implements ScanTableSource {
        ScanAndLookup(int rows, RowType type) {
            super(rows, type);
        }

        @Override
        public ChangelogMode getChangelogMode() {
            return ChangelogMode.insertOnly();
        }

        @Override
        public ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
            int n = rows;
            return new DataStreamScanProvider() {
                @Override
                public DataStream<RowData> produceDataStream(
                        ProviderContext providerContext, StreamExecutionEnvironment env) {
                    List<RowData> all = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        all.add(row(i));
                    }
                    return env.fromData(all, InternalTypeInfo.of(type));
                }

                @Override
                public boolean isBounded() {
                    return true;
                }
            };
        }

        @Override
        public DynamicTableSource copy() {
            return new ScanAndLookup(rows, type);
        }
    }

    /** Finds {@code (id, "name-id")} when {@code 0 <= id < rows}. */
    public static final class ById extends LookupFunction {
        private final int rows;

        public ById(int rows) {
            this.rows = rows;
        }

        @Override
        public Collection<RowData> lookup(RowData keyRow) {
            int id = keyRow.getInt(0);
            return id >= 0 && id < rows ? List.of(row(id)) : List.of();
        }
    }
}

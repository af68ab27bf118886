package dev.velo.flink.sql.dialect;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;

/**
 * A test stand-in for the velo wrapper ({@code 'connector' = 'velo-test'}): drops the velo keys and
 * hands the table to {@code velo.connector}, so translated scripts run end to end without the real
 * factory. Counts the tables it saw so tests can check the wrapper was in the path.
 */
public class PassThroughVeloTestFactory
        implements DynamicTableSourceFactory, DynamicTableSinkFactory {

    static final String IDENTIFIER = "velo-test";
    static final Map<String, Map<String, String>> SEEN =
            new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of();
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of();
    }

    private static Map<String, String> delegateOptions(Context context) {
        Map<String, String> options = context.getCatalogTable().getOptions();
        SEEN.put(context.getObjectIdentifier().getObjectName(), options);
        Map<String, String> delegate = new HashMap<>();
        options.forEach(
                (k, v) -> {
                    if (!VeloKeys.isVeloKey(k) && !k.equals("connector")) {
                        delegate.put(k, v);
                    }
                });
        delegate.put("connector", options.get("velo.connector"));
        return delegate;
    }

    @Override
    public DynamicTableSink createDynamicTableSink(Context context) {
        return FactoryUtil.createDynamicTableSink(
                null,
                context.getObjectIdentifier(),
                context.getCatalogTable().copy(delegateOptions(context)),
                Map.of(),
                context.getConfiguration(),
                context.getClassLoader(),
                context.isTemporary());
    }

    @Override
    public DynamicTableSource createDynamicTableSource(Context context) {
        return FactoryUtil.createDynamicTableSource(
                null,
                context.getObjectIdentifier(),
                context.getCatalogTable().copy(delegateOptions(context)),
                Map.of(),
                context.getConfiguration(),
                context.getClassLoader(),
                context.isTemporary());
    }
}

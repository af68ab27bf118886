package dev.velo.flink.sql.factory;

import dev.velo.flink.batching.config.BatchOptions;
import dev.velo.flink.batching.config.FailureOptions;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.sql.format.GuardedFormatFactory;
import java.util.HashSet;
import java.util.Set;
import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.ResolvedCatalogTable;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.LookupTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.util.ExceptionUtils;

/**
 * The {@code 'connector' = 'velo'} factory: wraps the connector named by {@code velo.connector} and
 * puts Velostream batching and failure handling around it. Options flink-velo does not own are
 * handed to the wrapped connector unchanged, so it validates them itself.
 */
@Internal
public class VeloDynamicTableFactory implements DynamicTableSourceFactory, DynamicTableSinkFactory {

    @Override
    public String factoryIdentifier() {
        return VeloConnectorOptions.IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(VeloConnectorOptions.VELO_CONNECTOR);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        Set<ConfigOption<?>> options = new HashSet<>(BatchOptions.ALL);
        options.addAll(FailureOptions.ALL);
        options.addAll(VeloConnectorOptions.ALL);
        options.remove(VeloConnectorOptions.VELO_CONNECTOR);
        return options;
    }

    @Override
    public DynamicTableSink createDynamicTableSink(Context context) {
        VeloTableSettings settings = settingsOf(context);
        DynamicTableSink delegate;
        try {
            delegate =
                    FactoryUtil.createDynamicTableSink(
                            null,
                            context.getObjectIdentifier(),
                            delegateTable(context, settings),
                            context.getEnrichmentOptions(),
                            context.getConfiguration(),
                            context.getClassLoader(),
                            context.isTemporary());
        } catch (ValidationException e) {
            throw delegateRejected(settings, e);
        }
        return VeloDynamicTableSink.wrap(
                delegate,
                settings,
                context.getCatalogTable().getResolvedSchema().toPhysicalRowDataType(),
                context.getCatalogTable().getResolvedSchema().getPrimaryKey().isPresent());
    }

    @Override
    public DynamicTableSource createDynamicTableSource(Context context) {
        VeloTableSettings settings = settingsOf(context);
        SourceDecoding decoding = SourceDecoding.plan(context, settings);
        DynamicTableSource delegate;
        try (GuardedFormatFactory.Scope scope = decoding == null ? null : decoding.open()) {
            delegate =
                    FactoryUtil.createDynamicTableSource(
                            null,
                            context.getObjectIdentifier(),
                            decoding == null
                                    ? delegateTable(context, settings)
                                    : decoding.guardedTable(context.getCatalogTable()),
                            decoding == null
                                    ? context.getEnrichmentOptions()
                                    : decoding.guardedOptions(context.getEnrichmentOptions()),
                            context.getConfiguration(),
                            context.getClassLoader(),
                            context.isTemporary());
            if (scope != null && !scope.formatCreated()) {
                throw new ValidationException(
                        String.format(
                                "Table '%s': connector '%s' did not decode with its '%s', so"
                                        + " source failure handling cannot be honoured; remove"
                                        + " '%s' or use %s.",
                                settings.tableName,
                                settings.delegateConnector,
                                decoding.formatKey(),
                                FailureOptions.sideKey(
                                        FailureOptions.SOURCE_PREFIX,
                                        FailureOptions.FAILURE_STRATEGY),
                                FailureStrategy.FAIL_BATCH.displayName()));
            }
        } catch (ValidationException e) {
            throw delegateRejected(settings, decoding, e);
        }
        if (!(delegate instanceof ScanTableSource) && !(delegate instanceof LookupTableSource)) {
            throw new ValidationException(
                    String.format(
                            "Table '%s': connector '%s' provides a %s, which is neither a scan nor"
                                    + " a lookup source; flink-velo can only wrap those.",
                            settings.tableName,
                            settings.delegateConnector,
                            delegate.getClass().getName()));
        }
        return VeloDynamicTableSource.wrap(delegate, settings);
    }

    /**
     * Velo's own validation first (its messages name the key, the value and what the dialect
     * accepts), then Flink's {@link FactoryUtil.TableFactoryHelper} over what is left: it requires
     * {@code velo.connector} and rejects {@code velo.*} keys that are not declared, while the
     * wrapped connector's keys are skipped because that connector validates them.
     */
    private VeloTableSettings settingsOf(Context context) {
        VeloTableSettings settings = VeloTableSettings.parse(context);
        FactoryUtil.createTableFactoryHelper(this, VeloTableSettings.helperContext(context))
                .validateExcept(settings.delegatedKeys());
        return settings;
    }

    private static ResolvedCatalogTable delegateTable(Context context, VeloTableSettings settings) {
        return context.getCatalogTable().copy(settings.delegateOptions);
    }

    private static ValidationException delegateRejected(
            VeloTableSettings settings, ValidationException e) {
        return delegateRejected(settings, null, e);
    }

    private static ValidationException delegateRejected(
            VeloTableSettings settings, SourceDecoding decoding, ValidationException e) {
        Throwable root = ExceptionUtils.stripException(e, ValidationException.class);
        String reason = e.getMessage();
        Throwable cause = e.getCause();
        while (cause != null) {
            if (cause.getMessage() != null) {
                reason = cause.getMessage();
            }
            cause = cause.getCause();
        }
        return new ValidationException(
                String.format(
                        "Table '%s': the wrapped connector '%s' (from '%s') rejected the table: %s",
                        settings.tableName,
                        settings.delegateConnector,
                        VeloConnectorOptions.VELO_CONNECTOR.key(),
                        decoding == null ? reason : decoding.userKeys(reason)),
                root);
    }
}

package dev.velo.flink.sql.factory;

import dev.velo.flink.batching.config.FailureOptions;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.sql.format.GuardedFormatFactory;
import dev.velo.flink.sql.format.SourceGuardSettings;
import java.util.HashMap;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.ResolvedCatalogTable;
import org.apache.flink.table.factories.DeserializationFormatFactory;
import org.apache.flink.table.factories.DynamicTableFactory;
import org.apache.flink.table.factories.FactoryUtil;

/**
 * Source-side failure handling at the format: the wrapped connector keeps its whole table (schema,
 * metadata, partitions, watermarks) and gets the {@code velo-guarded} format in place of its value
 * format ({@code 'format'} or {@code 'value.format'}); the real format's keys move into the guarded
 * format's option space ({@code json.x} → {@code velo-guarded.x}, {@code value.json.x} → {@code
 * value.velo-guarded.x}). The guarded format creates the real one and applies {@code
 * source.failure_strategy} to what it cannot decode.
 */
@Internal
final class SourceDecoding {

    static final String VALUE_FORMAT = "value.format";

    private final VeloTableSettings settings;
    private final String realPrefix;
    private final String guardedPrefix;
    private final String formatKey;
    private final String formatName;
    private final DeserializationFormatFactory formatFactory;

    private SourceDecoding(
            VeloTableSettings settings,
            String formatKey,
            String formatName,
            DeserializationFormatFactory formatFactory) {
        this.settings = settings;
        this.formatKey = formatKey;
        this.formatName = formatName;
        this.formatFactory = formatFactory;
        String keyPrefix = formatKey.equals(VALUE_FORMAT) ? "value." : "";
        this.realPrefix = keyPrefix + formatName + ".";
        this.guardedPrefix = keyPrefix + GuardedFormatFactory.IDENTIFIER + ".";
    }

    /**
     * Null when decoding failures are left to the wrapped connector: FailBatch by default. A
     * FailBatch the table asks for explicitly is guarded when the connector has a value format, so
     * the failure names the table and the record's position in its subtask.
     */
    @Nullable
    static SourceDecoding plan(DynamicTableFactory.Context context, VeloTableSettings settings) {
        FailureStrategy strategy = settings.velo.sourceFailure().strategy();
        Map<String, String> options = settings.delegateOptions;
        String strategyKey =
                FailureOptions.sideKey(
                        FailureOptions.SOURCE_PREFIX, FailureOptions.FAILURE_STRATEGY);
        String formatKey =
                options.containsKey(VALUE_FORMAT)
                        ? VALUE_FORMAT
                        : options.containsKey(FactoryUtil.FORMAT.key())
                                ? FactoryUtil.FORMAT.key()
                                : null;
        if (strategy == FailureStrategy.FAIL_BATCH) {
            Map<String, String> given = context.getCatalogTable().getOptions();
            boolean explicit =
                    given.containsKey(strategyKey)
                            || given.containsKey(FailureOptions.FAILURE_STRATEGY.key());
            if (!explicit || formatKey == null) {
                return null;
            }
        }
        if (formatKey == null) {
            throw new ValidationException(
                    String.format(
                            "Table '%s': '%s' = '%s' cannot be honoured for connector '%s': it"
                                    + " decodes no bytes with a 'format'. Source failure handling"
                                    + " needs a format-based connector such as kafka or"
                                    + " filesystem; remove the option or use FailBatch.",
                            settings.tableName,
                            strategyKey,
                            strategy.displayName(),
                            settings.delegateConnector));
        }
        String formatName = options.get(formatKey).trim();
        DeserializationFormatFactory formatFactory;
        try {
            formatFactory =
                    FactoryUtil.discoverFactory(
                            context.getClassLoader(),
                            DeserializationFormatFactory.class,
                            formatName);
        } catch (ValidationException e) {
            throw new ValidationException(
                    String.format(
                            "Table '%s': '%s' = '%s' needs a format that decodes record by record"
                                    + " (a DeserializationFormatFactory), but '%s' = '%s' is not"
                                    + " one (bulk formats such as parquet or orc decode inside"
                                    + " the connector); remove the option or use FailBatch.",
                            settings.tableName,
                            strategyKey,
                            strategy.displayName(),
                            formatKey,
                            formatName),
                    e);
        }
        return new SourceDecoding(settings, formatKey, formatName, formatFactory);
    }

    /** The wrapped connector's table: the velo table with the guarded value format. */
    ResolvedCatalogTable guardedTable(ResolvedCatalogTable table) {
        return table.copy(guardedOptions(settings.delegateOptions));
    }

    /** The options with the value format replaced by the guarded one and its keys moved. */
    Map<String, String> guardedOptions(Map<String, String> options) {
        Map<String, String> guarded = new HashMap<>();
        options.forEach(
                (k, v) -> {
                    if (k.startsWith(realPrefix)) {
                        guarded.put(guardedPrefix + k.substring(realPrefix.length()), v);
                    } else {
                        guarded.put(k, v);
                    }
                });
        if (guarded.containsKey(formatKey)) {
            guarded.put(formatKey, GuardedFormatFactory.IDENTIFIER);
        }
        return guarded;
    }

    /** Makes the guarded format of this table available while its connector is created. */
    GuardedFormatFactory.Scope open() {
        return GuardedFormatFactory.open(
                new SourceGuardSettings(
                        settings.tableName,
                        formatName,
                        settings.velo.sourceFailure(),
                        settings.dlq),
                formatFactory);
    }

    /** Puts the user's key names back into a message of the wrapped connector. */
    String userKeys(String message) {
        if (message == null) {
            return null;
        }
        return message.replace(guardedPrefix, realPrefix)
                .replace("'" + GuardedFormatFactory.IDENTIFIER + "'", "'" + formatName + "'");
    }

    String formatKey() {
        return formatKey;
    }
}

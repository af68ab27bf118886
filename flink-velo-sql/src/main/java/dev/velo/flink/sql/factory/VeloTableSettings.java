package dev.velo.flink.sql.factory;

import dev.velo.flink.batching.config.BatchOptions;
import dev.velo.flink.batching.config.VeloOptions;
import dev.velo.flink.batching.dlq.DeadLetterEncoder;
import dev.velo.flink.sql.dlq.DlqOptions;
import dev.velo.flink.sql.dlq.DlqOptionsUtil;
import dev.velo.flink.sql.dlq.DlqWriterFactory;
import dev.velo.flink.sql.dlq.ReplayAttempts;
import dev.velo.flink.sql.dlq.SinkPayloadEncoders;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DynamicTableFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.DataType;

/**
 * Everything the {@code velo} factory reads from a table's WITH clause: the parsed velo options,
 * the dead letter queue, and the options handed to the wrapped connector.
 */
@Internal
final class VeloTableSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    final String tableName;
    final String delegateConnector;
    final VeloOptions velo;
    @Nullable final DlqWriterFactory dlq;
    final HashMap<String, String> delegateOptions;

    /** Whether the table's WITH clause names any batch key (source-side batching is opt-in). */
    final boolean batchKeysGiven;

    private VeloTableSettings(
            @Nullable DynamicTableFactory.Context context,
            String tableName,
            String delegateConnector,
            VeloOptions velo,
            @Nullable DlqWriterFactory dlq,
            HashMap<String, String> delegateOptions,
            boolean batchKeysGiven) {
        this.context = context;
        this.tableName = tableName;
        this.delegateConnector = delegateConnector;
        this.velo = velo;
        this.dlq = dlq;
        this.delegateOptions = delegateOptions;
        this.batchKeysGiven = batchKeysGiven;
    }

    /**
     * The factory context the settings were parsed in: planning time only (the sink's payload
     * encoder is made from it), null once the settings travel to a task.
     */
    @Nullable private final transient DynamicTableFactory.Context context;

    static VeloTableSettings parse(DynamicTableFactory.Context context) {
        String tableName = context.getObjectIdentifier().getObjectName();
        Map<String, String> options = context.getCatalogTable().getOptions();
        String delegate = options.get(VeloConnectorOptions.VELO_CONNECTOR.key());
        if (delegate == null || delegate.isBlank()) {
            throw new ValidationException(
                    String.format(
                            "Table '%s': option '%s' is required: it names the Flink connector"
                                    + " the velo table wraps, e.g. 'kafka', 'filesystem',"
                                    + " 'print', 'blackhole'.",
                            tableName, VeloConnectorOptions.VELO_CONNECTOR.key()));
        }
        delegate = delegate.trim();
        if (delegate.equalsIgnoreCase(VeloConnectorOptions.IDENTIFIER)) {
            throw new ValidationException(
                    String.format(
                            "Table '%s': invalid value '%s' for option '%s': a velo table cannot"
                                    + " wrap another velo table; name the underlying connector.",
                            tableName, delegate, VeloConnectorOptions.VELO_CONNECTOR.key()));
        }
        VeloOptions velo = VeloOptions.parse(tableName, options);
        boolean needsDlq =
                velo.sinkFailure().mayDeadLetter() || velo.sourceFailure().mayDeadLetter();
        DlqWriterFactory dlq =
                DlqOptionsUtil.create(context, tableName, delegate, options, needsDlq).orElse(null);

        HashMap<String, String> delegateOptions = new HashMap<>();
        boolean batchKeys = false;
        for (Map.Entry<String, String> e : options.entrySet()) {
            String key = e.getKey();
            if (key.startsWith(BatchOptions.PREFIX)) {
                batchKeys = true;
            }
            if (!VeloOptions.isVeloKey(key) && !key.equals(FactoryUtil.CONNECTOR.key())) {
                delegateOptions.put(key, e.getValue());
            }
        }
        delegateOptions.put(FactoryUtil.CONNECTOR.key(), delegate);
        return new VeloTableSettings(
                context, tableName, delegate, velo, dlq, delegateOptions, batchKeys);
    }

    /**
     * The context in which Flink's {@link FactoryUtil.TableFactoryHelper} validates what is left of
     * the table's options once velo has validated its own: the keys for the wrapped connector and
     * the {@code velo.*} keys. The batch and failure keys (validated by {@link VeloOptions} in the
     * dialect's forms, which are wider than Flink's: {@code yes}/{@code no}, surrounding blanks),
     * the {@code dlq.*} keys (validated by the DLQ connector) and {@link
     * ReplayAttempts#REPLAY_ATTEMPTS} (validated when the DLQ is made) are left out.
     */
    static DynamicTableFactory.Context helperContext(DynamicTableFactory.Context context) {
        Map<String, String> rest = new HashMap<>(context.getCatalogTable().getOptions());
        rest.keySet()
                .removeIf(
                        key ->
                                VeloOptions.isParsedKey(key)
                                        || key.startsWith(DlqOptions.DLQ_PREFIX)
                                        || key.equals(ReplayAttempts.REPLAY_ATTEMPTS.key()));
        return new FactoryUtil.DefaultDynamicTableContext(
                context.getObjectIdentifier(),
                context.getCatalogTable().copy(rest),
                context.getEnrichmentOptions(),
                context.getConfiguration(),
                context.getClassLoader(),
                context.isTemporary());
    }

    /**
     * The keys handed to the wrapped connector, which validates them itself: Flink's helper skips
     * them ({@code validateExcept}). Never empty ({@code connector} is always there).
     */
    String[] delegatedKeys() {
        return delegateOptions.keySet().toArray(new String[0]);
    }

    /**
     * The encoder of the payload of a sink-side dead letter: the failed row in the table's own
     * format (planning time only).
     */
    DeadLetterEncoder<RowData> sinkPayloadEncoder(DataType consumedRowType) {
        if (context == null) {
            throw new IllegalStateException("The payload encoder is made at planning time.");
        }
        return SinkPayloadEncoders.forTable(context, consumedRowType);
    }
}

package dev.velo.flink.sql.factory;

import dev.velo.flink.batching.config.BatchOptions;
import dev.velo.flink.batching.config.VeloOptions;
import dev.velo.flink.sql.dlq.DlqOptionsUtil;
import dev.velo.flink.sql.dlq.DlqWriterFactory;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.factories.FactoryUtil;

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
            String tableName,
            String delegateConnector,
            VeloOptions velo,
            @Nullable DlqWriterFactory dlq,
            HashMap<String, String> delegateOptions,
            boolean batchKeysGiven) {
        this.tableName = tableName;
        this.delegateConnector = delegateConnector;
        this.velo = velo;
        this.dlq = dlq;
        this.delegateOptions = delegateOptions;
        this.batchKeysGiven = batchKeysGiven;
    }

    static VeloTableSettings parse(String tableName, Map<String, String> options) {
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
        DlqWriterFactory dlq = DlqOptionsUtil.create(tableName, options, needsDlq).orElse(null);

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
        return new VeloTableSettings(tableName, delegate, velo, dlq, delegateOptions, batchKeys);
    }
}

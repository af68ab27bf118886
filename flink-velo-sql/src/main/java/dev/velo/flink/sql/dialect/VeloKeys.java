package dev.velo.flink.sql.dialect;

import dev.velo.flink.batching.config.BatchOptions;
import dev.velo.flink.batching.config.BatchStrategyType;
import dev.velo.flink.batching.config.FailureOptions;
import dev.velo.flink.batching.config.FailureStrategy;
import dev.velo.flink.batching.config.VeloOptions;
import dev.velo.flink.sql.factory.VeloConnectorOptions;
import org.apache.flink.annotation.Internal;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.factories.FactoryUtil;

/**
 * Which option keys belong to flink-velo rather than to the wrapped connector, and the keys the
 * dialect reads or writes, taken from the options classes.
 */
@Internal
final class VeloKeys {

    static final String CONNECTOR = FactoryUtil.CONNECTOR.key();
    static final String FORMAT = FactoryUtil.FORMAT.key();
    static final String VELO_CONNECTOR = VeloConnectorOptions.VELO_CONNECTOR.key();
    static final String BATCH_STRATEGY = BatchOptions.STRATEGY.key();
    static final String BATCH_SIZE = BatchOptions.SIZE.key();

    /** Velostream's prefix of the keys that configure a stream's source side. */
    static final String SOURCE_PREFIX = FailureOptions.SOURCE_PREFIX;

    /** Velostream's prefix of the keys that configure a stream's sink. */
    static final String SINK_PREFIX = BatchOptions.SINK_ALIAS_PREFIX;

    /** {@code source.dlq.*}: the DLQ of a stream's source table. */
    static final String SOURCE_DLQ_PREFIX = SOURCE_PREFIX + VeloOptions.DLQ_PREFIX;

    /** Velostream's {@code <table>.type}: the connector kind, e.g. {@code kafka_sink}. */
    static final String TYPE = "type";

    /** Velostream's {@code <table>.config_file}: a YAML file with the table's keys. */
    static final String CONFIG_FILE = "config_file";

    private VeloKeys() {}

    static boolean isVeloKey(String key) {
        return VeloOptions.isVeloKey(key);
    }

    /** A key that configures the source side of a CREATE STREAM. */
    static boolean isSourceKey(String key) {
        return key.startsWith(SOURCE_PREFIX);
    }

    /**
     * A {@code source.*} key flink-velo applies to the stream's source table ({@code
     * source.failure_strategy}, {@code source.dlq.*}, ...); other {@code source.*} keys ({@code
     * source.format}, {@code source.path}) address the source itself, as in Velostream.
     */
    static boolean isSourceSideKey(String key) {
        return isVeloKey(key) || key.startsWith(SOURCE_DLQ_PREFIX);
    }

    /** A generic {@code sink.*} key that addresses the stream's sink, e.g. {@code sink.path}. */
    static boolean isSinkKey(String key) {
        return key.startsWith(SINK_PREFIX) && !isVeloKey(key);
    }

    /** The value names {@code SendToDLQ} in any spelling the failure options accept. */
    static boolean isSendToDlq(String key, String value) {
        try {
            return FailureStrategy.parse(key, value) == FailureStrategy.SEND_TO_DLQ;
        } catch (ValidationException e) {
            return false;
        }
    }

    /**
     * The strategy a {@code batch.strategy} value names; null when it names none (the option check
     * reports that value).
     */
    static BatchStrategyType strategyOf(String value) {
        try {
            return BatchStrategyType.parse(BATCH_STRATEGY, value);
        } catch (ValidationException e) {
            return null;
        }
    }
}

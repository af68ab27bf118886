package dev.velo.flink.sql.factory;

import dev.velo.flink.sql.dlq.DlqOptions;
import dev.velo.flink.sql.dlq.ReplayAttempts;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * Options of the {@code 'connector' = 'velo'} wrapper. The dead letter queue's {@code dlq.*}
 * options are declared in {@link DlqOptions} and listed in {@link #ALL}.
 */
@PublicEvolving
public final class VeloConnectorOptions {

    /** Identifier of the wrapper in {@code 'connector' = 'velo'}. */
    public static final String IDENTIFIER = "velo";

    public static final ConfigOption<String> VELO_CONNECTOR =
            ConfigOptions.key("velo.connector")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The Flink connector the velo table wraps, e.g. kafka, upsert-kafka,"
                                    + " filesystem, datagen, print, blackhole. Every option"
                                    + " flink-velo does not own is passed to it unchanged.");

    /** The wrapper's own options, in documentation order. */
    public static final List<ConfigOption<?>> ALL = all();

    private static List<ConfigOption<?>> all() {
        List<ConfigOption<?>> all = new ArrayList<>();
        all.add(VELO_CONNECTOR);
        all.addAll(DlqOptions.ALL);
        all.add(ReplayAttempts.REPLAY_ATTEMPTS);
        return Collections.unmodifiableList(all);
    }

    private VeloConnectorOptions() {}
}

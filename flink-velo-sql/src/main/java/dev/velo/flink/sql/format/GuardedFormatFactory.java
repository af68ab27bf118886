package dev.velo.flink.sql.format;

import dev.velo.flink.batching.config.FailureOptions;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.format.DecodingFormat;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DeserializationFormatFactory;
import org.apache.flink.table.factories.DynamicTableFactory;

/**
 * The {@code 'format' = 'velo-guarded'} format a velo table gives its wrapped connector when a
 * source failure strategy applies: it creates the table's real format and catches what that format
 * cannot decode. The connector therefore keeps its own metadata, partitions, watermarks, projection
 * and changelog mode.
 *
 * <p>The velo factory moves the real format's keys into this format's option space ({@code json.x}
 * becomes {@code velo-guarded.x}) and hands the table's settings and the real format over a {@link
 * Scope} around the wrapped connector's factory call (plan time, same thread), so this factory
 * declares exactly the real format's options and the connector validates them as usual. Used
 * directly in a plain table, it fails with a clear message.
 */
@Internal
public final class GuardedFormatFactory implements DeserializationFormatFactory {

    public static final String IDENTIFIER = "velo-guarded";

    private static final ThreadLocal<Scope> SCOPE = new ThreadLocal<>();

    /** Makes the table's settings and real format available to this factory on this thread. */
    public static Scope open(SourceGuardSettings settings, DeserializationFormatFactory inner) {
        Scope scope = new Scope(settings, inner, SCOPE.get());
        SCOPE.set(scope);
        return scope;
    }

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        Scope scope = SCOPE.get();
        return scope == null ? Set.of() : scope.inner.requiredOptions();
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        Scope scope = SCOPE.get();
        return scope == null ? Set.of() : scope.inner.optionalOptions();
    }

    @Override
    public Set<ConfigOption<?>> forwardOptions() {
        Scope scope = SCOPE.get();
        return scope == null ? Set.of() : scope.inner.forwardOptions();
    }

    @Override
    public DecodingFormat<DeserializationSchema<RowData>> createDecodingFormat(
            DynamicTableFactory.Context context, ReadableConfig formatOptions) {
        Scope scope = SCOPE.get();
        if (scope == null) {
            throw new ValidationException(
                    String.format(
                            "Format '%s' is internal to the 'velo' connector: set"
                                    + " '%s' on a 'velo' table instead of naming this format.",
                            IDENTIFIER,
                            FailureOptions.sideKey(
                                    FailureOptions.SOURCE_PREFIX,
                                    FailureOptions.FAILURE_STRATEGY)));
        }
        DecodingFormat<DeserializationSchema<RowData>> inner =
                scope.inner.createDecodingFormat(context, formatOptions);
        scope.formatsCreated++;
        return GuardedDecodingFormat.wrap(inner, scope.settings);
    }

    /** The settings of the velo table being planned on this thread; close it after planning. */
    public static final class Scope implements AutoCloseable {
        private final SourceGuardSettings settings;
        private final DeserializationFormatFactory inner;
        @Nullable private final Scope previous;
        private int formatsCreated;

        private Scope(
                SourceGuardSettings settings,
                DeserializationFormatFactory inner,
                @Nullable Scope previous) {
            this.settings = settings;
            this.inner = inner;
            this.previous = previous;
        }

        /** Whether the wrapped connector created the guarded format (it decodes through it). */
        public boolean formatCreated() {
            return formatsCreated > 0;
        }

        @Override
        public void close() {
            if (previous == null) {
                SCOPE.remove();
            } else {
                SCOPE.set(previous);
            }
        }
    }
}

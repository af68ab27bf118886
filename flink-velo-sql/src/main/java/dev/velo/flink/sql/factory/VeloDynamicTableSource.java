package dev.velo.flink.sql.factory;

import dev.velo.flink.batching.config.FailureOptions;
import dev.velo.flink.batching.dlq.DeadLetterWriterFactory;
import dev.velo.flink.sql.dlq.DlqOptions;
import dev.velo.flink.sql.format.DeadLetterFlushOperator;
import dev.velo.flink.sql.format.GuardedDecodingFormat;
import dev.velo.flink.sql.format.GuardedDeserializationSchema;
import dev.velo.flink.sql.format.GuardedSource;
import dev.velo.flink.sql.internal.StreamBatching;
import dev.velo.flink.sql.internal.proxy.Interfaces;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSource;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.ProviderContext;
import org.apache.flink.table.connector.source.DataStreamScanProvider;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.LookupTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.ScanTableSource.ScanContext;
import org.apache.flink.table.connector.source.ScanTableSource.ScanRuntimeProvider;
import org.apache.flink.table.connector.source.SourceProvider;
import org.apache.flink.table.connector.source.abilities.SupportsReadingMetadata;
import org.apache.flink.table.data.RowData;

/**
 * A velo table read as a source: the wrapped connector's source, seen by the planner with exactly
 * its abilities, plus (when configured) source-side batching after it. Decoding failures are
 * handled inside the connector, by the guarded format it was given (see {@code
 * dev.velo.flink.sql.format}).
 *
 * <p>The planner decides abilities with {@code instanceof}, so the velo source is a {@link Proxy}
 * implementing {@link ScanTableSource} and {@link LookupTableSource} when the wrapped source does,
 * and each {@code source.abilities} interface the wrapped source implements, and nothing else:
 * every call is forwarded, except {@code getScanRuntimeProvider} (velo's stages), {@code copy}
 * (copies and re-wraps) and {@code asSummaryString}. A lookup ({@code getLookupRuntimeProvider}) is
 * the wrapped source's own: a lookup join against a velo table reads exactly what it reads against
 * the plain table, and velo adds nothing to it (there is no stream to batch and no record to fail
 * on its own).
 */
@Internal
final class VeloDynamicTableSource implements InvocationHandler {

    private static final String ABILITIES_PACKAGE = SupportsReadingMetadata.class.getPackageName();

    private final DynamicTableSource delegate;
    private final VeloTableSettings settings;

    private VeloDynamicTableSource(DynamicTableSource delegate, VeloTableSettings settings) {
        this.delegate = delegate;
        this.settings = settings;
    }

    /** The velo source around a scan source: its abilities, velo's runtime stages. */
    static ScanTableSource wrap(ScanTableSource delegate, VeloTableSettings settings) {
        return (ScanTableSource) wrap((DynamicTableSource) delegate, settings);
    }

    /**
     * The velo source around a scan source, a lookup source or a source that is both: the same
     * kinds, its abilities, velo's runtime stages on scans.
     */
    static DynamicTableSource wrap(DynamicTableSource delegate, VeloTableSettings settings) {
        Set<Class<?>> interfaces = new LinkedHashSet<>();
        if (delegate instanceof ScanTableSource) {
            interfaces.add(ScanTableSource.class);
        }
        if (delegate instanceof LookupTableSource) {
            interfaces.add(LookupTableSource.class);
        }
        if (interfaces.isEmpty()) {
            throw new IllegalArgumentException(
                    "Neither a scan nor a lookup source: " + delegate.asSummaryString());
        }
        interfaces.addAll(Interfaces.inPackage(delegate.getClass(), ABILITIES_PACKAGE));
        return (DynamicTableSource)
                Proxy.newProxyInstance(
                        delegate.getClass().getClassLoader(),
                        interfaces.toArray(new Class<?>[0]),
                        new VeloDynamicTableSource(delegate, settings));
    }

    /** The wrapped source of a velo source proxy, or null if {@code source} is not one. */
    static DynamicTableSource delegateOf(Object source) {
        if (source != null
                && Proxy.isProxyClass(source.getClass())
                && Proxy.getInvocationHandler(source) instanceof VeloDynamicTableSource) {
            return ((VeloDynamicTableSource) Proxy.getInvocationHandler(source)).delegate;
        }
        return null;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        int arity = args == null ? 0 : args.length;
        switch (method.getName()) {
            case "getScanRuntimeProvider":
                if (arity == 1 && args[0] instanceof ScanContext) {
                    return getScanRuntimeProvider((ScanContext) args[0]);
                }
                break;
            case "copy":
                if (arity == 0) {
                    return wrap(delegate.copy(), settings);
                }
                break;
            case "asSummaryString":
            case "toString":
                if (arity == 0) {
                    return "velo(" + delegate.asSummaryString() + ")";
                }
                break;
            case "equals":
                if (arity == 1 && method.getDeclaringClass() == Object.class) {
                    DynamicTableSource other = delegateOf(args[0]);
                    return other != null && delegate.equals(other);
                }
                break;
            case "hashCode":
                if (arity == 0) {
                    return delegate.hashCode();
                }
                break;
            default:
                break;
        }
        try {
            return method.invoke(delegate, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
        if (settings.velo.sourceFailure().mayDeadLetter()
                && settings.dlq instanceof DeadLetterWriterFactory.Committing) {
            throw new ValidationException(
                    String.format(
                            "Table '%s': an exactly-once DLQ ('%s' = 'exactly-once') cannot take"
                                    + " the dead letters of '%s' = '%s': a source's dead letters"
                                    + " are written while its format decodes, where no"
                                    + " transaction of the DLQ can be committed with the"
                                    + " checkpoint. Use 'at-least-once' for a table read as a"
                                    + " source (its dead letters are still durable before the"
                                    + " checkpoint that skips their record).",
                            settings.tableName,
                            DlqOptions.DLQ_DELIVERY_GUARANTEE.key(),
                            FailureOptions.sideKey(
                                    FailureOptions.SOURCE_PREFIX, FailureOptions.FAILURE_STRATEGY),
                            settings.velo.sourceFailure().strategy().displayName()));
        }
        GuardedDecodingFormat.Captured<ScanRuntimeProvider> captured =
                GuardedDecodingFormat.capture(
                        () -> ((ScanTableSource) delegate).getScanRuntimeProvider(context));
        ScanRuntimeProvider inner = captured.result;
        if (inner instanceof SourceProvider && !captured.decoders.isEmpty()) {
            inner = GuardedSource.provider((SourceProvider) inner, captured.decoders);
        } else if (inner instanceof DataStreamScanProvider) {
            inner = withDeadLetterFlush((DataStreamScanProvider) inner, captured.decoders);
        }
        boolean batching = settings.batchKeysGiven && settings.velo.batchConfig().isEnabled();
        if (!batching) {
            return inner;
        }
        if (!(inner instanceof SourceProvider) && !(inner instanceof DataStreamScanProvider)) {
            throw new ValidationException(
                    String.format(
                            "Table '%s': connector '%s' provides a %s, which flink-velo cannot"
                                    + " wrap for source-side batching.",
                            settings.tableName,
                            settings.delegateConnector,
                            inner.getClass().getSimpleName()));
        }
        ScanRuntimeProvider source = inner;
        return new DataStreamScanProvider() {
            @Override
            public DataStream<RowData> produceDataStream(
                    ProviderContext providerContext, StreamExecutionEnvironment env) {
                DataStream<RowData> stream = open(source, providerContext, env);
                return StreamBatching.apply(
                        stream,
                        settings.velo.batchConfig(),
                        settings.tableName,
                        "source",
                        stream.getType(),
                        providerContext);
            }

            @Override
            public boolean isBounded() {
                return source.isBounded();
            }
        };
    }

    /**
     * The connector's stream followed by a {@link DeadLetterFlushOperator} when its decoders may
     * dead-letter: they decode on the task thread (as Kafka's do) and the chained stage flushes
     * their dead letters before every checkpoint barrier instead of once per dead letter.
     */
    private ScanRuntimeProvider withDeadLetterFlush(
            DataStreamScanProvider inner, List<GuardedDeserializationSchema> decoders) {
        List<String> guardIds = new ArrayList<>();
        for (GuardedDeserializationSchema decoder : decoders) {
            if (decoder.mayDeadLetter()) {
                guardIds.add(decoder.guardId());
            }
        }
        if (guardIds.isEmpty()) {
            return inner;
        }
        return new DataStreamScanProvider() {
            @Override
            public DataStream<RowData> produceDataStream(
                    ProviderContext providerContext, StreamExecutionEnvironment env) {
                DataStream<RowData> stream = inner.produceDataStream(providerContext, env);
                SingleOutputStreamOperator<RowData> flushed =
                        stream.transform(
                                        "velo-dlq-flush[" + settings.tableName + "]",
                                        stream.getType(),
                                        new DeadLetterFlushOperator(guardIds))
                                .setParallelism(stream.getParallelism());
                providerContext.generateUid("velo-dlq-flush").ifPresent(flushed::uid);
                return flushed;
            }

            @Override
            public boolean isBounded() {
                return inner.isBounded();
            }
        };
    }

    private DataStream<RowData> open(
            ScanRuntimeProvider inner,
            ProviderContext providerContext,
            StreamExecutionEnvironment env) {
        if (inner instanceof DataStreamScanProvider) {
            return ((DataStreamScanProvider) inner).produceDataStream(providerContext, env);
        }
        SourceProvider provider = (SourceProvider) inner;
        DataStreamSource<RowData> source =
                env.fromSource(
                        provider.createSource(),
                        WatermarkStrategy.noWatermarks(),
                        "velo-source[" + settings.tableName + "]");
        provider.getParallelism().ifPresent(source::setParallelism);
        providerContext.generateUid("source").ifPresent(source::uid);
        return source;
    }
}

package dev.velo.flink.sql.format;

import dev.velo.flink.sql.internal.proxy.Proxies;
import java.io.Serializable;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.table.connector.source.SourceProvider;
import org.apache.flink.table.data.RowData;

/**
 * For connectors whose {@code Source} decodes off the task's metric scope (the filesystem source
 * opens a copy of its decoder per file split, on a fetcher thread, with unregistered metrics): a
 * proxy of the connector's {@code Source}, with exactly its interfaces, that opens the table's
 * {@link DecodeGuard} when a reader is created (real metric group, subtask index) and closes it
 * with the reader. The decoders find the guard through a key set on the very decoder objects the
 * source holds, which Java serialization keeps shared within the source's object graph.
 */
@Internal
public final class GuardedSource implements InvocationHandler, Serializable {
    private static final long serialVersionUID = 1L;

    private final Source<?, ?, ?> inner;
    private final ArrayList<GuardedDeserializationSchema> decoders;

    private GuardedSource(Source<?, ?, ?> inner, List<GuardedDeserializationSchema> decoders) {
        this.inner = inner;
        this.decoders = new ArrayList<>(decoders);
    }

    /** The provider with its source wrapped; parallelism and boundedness stay the provider's. */
    @SuppressWarnings("unchecked")
    public static SourceProvider provider(
            SourceProvider provider, List<GuardedDeserializationSchema> decoders) {
        Source<RowData, ?, ?> source = provider.createSource();
        Source<RowData, ?, ?> wrapped =
                (Source<RowData, ?, ?>)
                        Proxies.implementingAllOf(
                                source, Source.class, new GuardedSource(source, decoders));
        return SourceProvider.of(wrapped, provider.getParallelism().orElse(null));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (Proxies.isObjectMethod(method)) {
            return Proxies.objectMethod(proxy, method, args, inner::toString);
        }
        if (method.getName().equals("createReader")
                && args != null
                && args.length == 1
                && args[0] instanceof SourceReaderContext
                && !decoders.isEmpty()) {
            SourceReaderContext context = (SourceReaderContext) args[0];
            String key =
                    DecodeGuard.bind(
                            decoders.get(0).settings(),
                            context.metricGroup(),
                            context.getIndexOfSubtask());
            decoders.forEach(d -> d.bindTo(key));
            Object reader;
            try {
                reader = Proxies.forward(inner, method, args);
            } catch (Throwable t) {
                DecodeGuard.release(key);
                throw t;
            }
            return Proxies.implementingAllOf(
                    reader, SourceReader.class, new ReaderCloser(reader, key));
        }
        return Proxies.forward(inner, method, args);
    }

    /** Closes the reader's guard (its DLQ writer) with the reader. */
    private static final class ReaderCloser implements InvocationHandler {
        private final Object reader;
        private final String key;

        ReaderCloser(Object reader, String key) {
            this.reader = reader;
            this.key = key;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getName().equals("close") && (args == null || args.length == 0)) {
                try {
                    return Proxies.forward(reader, method, args);
                } finally {
                    DecodeGuard.release(key);
                }
            }
            if (Proxies.isObjectMethod(method)) {
                return Proxies.objectMethod(proxy, method, args, reader::toString);
            }
            return Proxies.forward(reader, method, args);
        }
    }
}

package dev.velo.flink.sql.format;

import dev.velo.flink.sql.internal.Interfaces;
import java.io.Serializable;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
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
                        proxy(source, Source.class, new GuardedSource(source, decoders));
        return SourceProvider.of(wrapped, provider.getParallelism().orElse(null));
    }

    private static Object proxy(Object target, Class<?> base, InvocationHandler handler) {
        Set<Class<?>> interfaces = new LinkedHashSet<>();
        interfaces.add(base);
        interfaces.addAll(Interfaces.of(target.getClass(), i -> true));
        return Proxy.newProxyInstance(
                target.getClass().getClassLoader(), interfaces.toArray(new Class<?>[0]), handler);
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            if (method.getName().equals("equals")) {
                return proxy == args[0];
            }
            if (method.getName().equals("hashCode")) {
                return System.identityHashCode(proxy);
            }
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
                reader = forward(inner, method, args);
            } catch (Throwable t) {
                DecodeGuard.release(key);
                throw t;
            }
            return proxy(reader, SourceReader.class, new ReaderCloser(reader, key));
        }
        return forward(inner, method, args);
    }

    private static Object forward(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
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
                    return forward(reader, method, args);
                } finally {
                    DecodeGuard.release(key);
                }
            }
            if (method.getDeclaringClass() == Object.class && method.getName().equals("equals")) {
                return proxy == args[0];
            }
            return forward(reader, method, args);
        }
    }
}

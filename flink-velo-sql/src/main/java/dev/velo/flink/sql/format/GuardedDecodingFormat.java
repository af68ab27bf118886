package dev.velo.flink.sql.format;

import dev.velo.flink.sql.internal.proxy.Interfaces;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.table.connector.format.DecodingFormat;
import org.apache.flink.table.data.RowData;

/**
 * Wraps a real {@link DecodingFormat} so that every runtime decoder it creates is a {@link
 * GuardedDeserializationSchema}. The wrapper is a proxy implementing exactly the real format's
 * interfaces ({@code ProjectableDecodingFormat}, statistics reporting, …) and forwards everything
 * else: changelog mode, readable format metadata, equality.
 */
@Internal
public final class GuardedDecodingFormat implements InvocationHandler {

    private static final ThreadLocal<List<GuardedDeserializationSchema>> CAPTURED =
            new ThreadLocal<>();

    private final DecodingFormat<DeserializationSchema<RowData>> inner;
    private final SourceGuardSettings settings;

    private GuardedDecodingFormat(
            DecodingFormat<DeserializationSchema<RowData>> inner, SourceGuardSettings settings) {
        this.inner = inner;
        this.settings = settings;
    }

    @SuppressWarnings("unchecked")
    static DecodingFormat<DeserializationSchema<RowData>> wrap(
            DecodingFormat<DeserializationSchema<RowData>> inner, SourceGuardSettings settings) {
        Set<Class<?>> interfaces = new LinkedHashSet<>();
        interfaces.add(DecodingFormat.class);
        interfaces.addAll(Interfaces.of(inner.getClass(), i -> true));
        return (DecodingFormat<DeserializationSchema<RowData>>)
                Proxy.newProxyInstance(
                        inner.getClass().getClassLoader(),
                        interfaces.toArray(new Class<?>[0]),
                        new GuardedDecodingFormat(inner, settings));
    }

    /**
     * Runs {@code call} (a table source's {@code getScanRuntimeProvider}) and returns the guarded
     * decoders it created, so that the velo source can bind them to its reader's lifecycle.
     */
    public static <T> Captured<T> capture(Supplier<T> call) {
        List<GuardedDeserializationSchema> previous = CAPTURED.get();
        List<GuardedDeserializationSchema> decoders = new ArrayList<>();
        CAPTURED.set(decoders);
        try {
            return new Captured<>(call.get(), decoders);
        } finally {
            if (previous == null) {
                CAPTURED.remove();
            } else {
                CAPTURED.set(previous);
            }
        }
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            switch (method.getName()) {
                case "equals":
                    return args[0] != null
                            && Proxy.isProxyClass(args[0].getClass())
                            && Proxy.getInvocationHandler(args[0]) instanceof GuardedDecodingFormat
                            && inner.equals(
                                    ((GuardedDecodingFormat) Proxy.getInvocationHandler(args[0]))
                                            .inner);
                case "hashCode":
                    return inner.hashCode();
                case "toString":
                    return IDENTIFIER_PREFIX + inner + ")";
                default:
                    break;
            }
        }
        Object result;
        try {
            result = method.invoke(inner, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
        if (method.getName().equals("createRuntimeDecoder")
                && result instanceof DeserializationSchema) {
            @SuppressWarnings("unchecked")
            GuardedDeserializationSchema guarded =
                    new GuardedDeserializationSchema(
                            (DeserializationSchema<RowData>) result, settings);
            List<GuardedDeserializationSchema> captured = CAPTURED.get();
            if (captured != null) {
                captured.add(guarded);
            }
            return guarded;
        }
        return result;
    }

    private static final String IDENTIFIER_PREFIX = GuardedFormatFactory.IDENTIFIER + "(";

    /** A call's result and the guarded decoders created during it. */
    public static final class Captured<T> {
        public final T result;
        public final List<GuardedDeserializationSchema> decoders;

        private Captured(T result, List<GuardedDeserializationSchema> decoders) {
            this.result = result;
            this.decoders = decoders;
        }
    }
}

package dev.velo.flink.sql.factory;

import dev.velo.flink.sql.internal.proxy.Interfaces;
import dev.velo.flink.sql.internal.proxy.Proxies;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.annotation.Internal;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.sink.abilities.SupportsPartitioning;
import org.apache.flink.table.connector.sink.abilities.SupportsWritingMetadata;
import org.apache.flink.table.types.DataType;

/**
 * The face a velo sink shows the planner: a {@link Proxy} implementing {@link DynamicTableSink} and
 * exactly the {@code org.apache.flink.table.connector.sink.abilities} interfaces of the wrapped
 * sink. The planner decides with {@code instanceof}, so a velo sink must neither lack an ability of
 * the wrapped sink nor claim one it lacks.
 *
 * <p>{@code DynamicTableSink} methods go to the {@link VeloDynamicTableSink} (its runtime provider
 * adds velo's stages, {@code copy()} re-wraps a copy of the delegate); ability methods go to the
 * delegate, and velo notes what they change (metadata columns grow the consumed row, partition
 * grouping pins the planner's distribution).
 */
@Internal
final class SinkAbilityProxy implements InvocationHandler {

    /** The package of Flink's sink abilities; every interface in it is mirrored. */
    static final String ABILITIES_PACKAGE = SupportsWritingMetadata.class.getPackageName();

    private final VeloDynamicTableSink sink;

    private SinkAbilityProxy(VeloDynamicTableSink sink) {
        this.sink = sink;
    }

    static DynamicTableSink create(VeloDynamicTableSink sink) {
        Set<Class<?>> interfaces = new LinkedHashSet<>();
        interfaces.add(DynamicTableSink.class);
        interfaces.addAll(abilitiesOf(sink.delegate().getClass()));
        return (DynamicTableSink)
                Proxy.newProxyInstance(
                        DynamicTableSink.class.getClassLoader(),
                        interfaces.toArray(new Class<?>[0]),
                        new SinkAbilityProxy(sink));
    }

    /** The sink ability interfaces {@code type} implements, directly or inherited. */
    static List<Class<?>> abilitiesOf(Class<?> type) {
        return new ArrayList<>(Interfaces.inPackage(type, ABILITIES_PACKAGE));
    }

    /** The velo sink behind a sink made by {@link #create}, or null for any other sink. */
    static VeloDynamicTableSink unwrap(DynamicTableSink table) {
        if (Proxy.isProxyClass(table.getClass())
                && Proxy.getInvocationHandler(table) instanceof SinkAbilityProxy) {
            return ((SinkAbilityProxy) Proxy.getInvocationHandler(table)).sink;
        }
        return null;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        Class<?> owner = method.getDeclaringClass();
        if (Proxies.isObjectMethod(method)) {
            return Proxies.objectMethod(proxy, method, args, sink::asSummaryString);
        }
        if (owner == DynamicTableSink.class) {
            return Proxies.forward(sink, method, args);
        }
        Object result = Proxies.forward(sink.delegate(), method, args);
        if (owner == SupportsWritingMetadata.class
                && method.getName().equals("applyWritableMetadata")) {
            sink.metadataApplied((DataType) args[1]);
        } else if (owner == SupportsPartitioning.class
                && method.getName().equals("requiresPartitionGrouping")) {
            sink.partitionGroupingRequired((Boolean) result);
        }
        return result;
    }
}

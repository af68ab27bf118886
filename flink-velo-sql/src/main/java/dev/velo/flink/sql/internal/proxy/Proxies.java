package dev.velo.flink.sql.internal.proxy;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Supplier;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * What velo's wrapping proxies (guarded source, sink ability proxy, Kafka DLQ header writer) share:
 * creating a proxy with all public interfaces of the wrapped object, answering the methods of
 * {@link Object}, and forwarding a call to the wrapped object.
 */
@Internal
public final class Proxies {

    private Proxies() {}

    /**
     * A proxy implementing {@code base} (when not null) and every public interface of {@code
     * target}'s class, defined in {@code target}'s class loader.
     */
    public static Object implementingAllOf(
            Object target, @Nullable Class<?> base, InvocationHandler handler) {
        Set<Class<?>> interfaces = new LinkedHashSet<>();
        if (base != null) {
            interfaces.add(base);
        }
        interfaces.addAll(Interfaces.of(target.getClass(), i -> true));
        return Proxy.newProxyInstance(
                target.getClass().getClassLoader(), interfaces.toArray(new Class<?>[0]), handler);
    }

    /** True for {@code equals}, {@code hashCode} and {@code toString}, the methods of Object. */
    public static boolean isObjectMethod(Method method) {
        return method.getDeclaringClass() == Object.class;
    }

    /**
     * The answer to a method of {@link Object} called on {@code proxy}: a proxy equals only itself,
     * its hash code is its identity, and its text is {@code toString}'s.
     */
    public static Object objectMethod(
            Object proxy, Method method, Object[] args, Supplier<String> toString) {
        switch (method.getName()) {
            case "equals":
                return proxy == args[0];
            case "hashCode":
                return System.identityHashCode(proxy);
            case "toString":
                return toString.get();
            default:
                throw new IllegalArgumentException("Not a method of Object: " + method);
        }
    }

    /** {@code method} called on {@code target}; what the method throws is rethrown unwrapped. */
    public static Object forward(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}

package dev.velo.flink.sql.internal.proxy;

import java.lang.reflect.Modifier;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.flink.annotation.Internal;

/**
 * The interfaces a class implements, directly or inherited: what a velo proxy (source, sink,
 * guarded format, guarded source) must implement so that the planner's and the connectors' {@code
 * instanceof} checks answer as for the wrapped object.
 */
@Internal
public final class Interfaces {

    private Interfaces() {}

    /** The public interfaces of {@code type} that {@code accept}, in discovery order. */
    public static Set<Class<?>> of(Class<?> type, Predicate<Class<?>> accept) {
        Set<Class<?>> found = new LinkedHashSet<>();
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            collect(c.getInterfaces(), accept, found);
        }
        return found;
    }

    /** The public top-level interfaces of {@code type} declared in {@code packageName}. */
    public static Set<Class<?>> inPackage(Class<?> type, String packageName) {
        return of(
                type, i -> i.getPackageName().equals(packageName) && i.getEnclosingClass() == null);
    }

    private static void collect(
            Class<?>[] interfaces, Predicate<Class<?>> accept, Set<Class<?>> found) {
        for (Class<?> i : interfaces) {
            if (Modifier.isPublic(i.getModifiers()) && accept.test(i)) {
                found.add(i);
            }
            collect(i.getInterfaces(), accept, found);
        }
    }
}

package dev.velo.flink.batching.dlq;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Renders a throwable the way {@link Throwable#printStackTrace()} does (causes, suppressed
 * exceptions, "... n more" for frames shared with the enclosing trace), but stops as soon as the
 * text reaches its bound. A dead letter keeps only the first {@link
 * DeadLetter#MAX_STACK_TRACE_CHARS} characters, and rendering a deep trace in full (a Flink task
 * thread is often 60+ frames deep, times every cause) only to cut it was the largest cost of
 * writing a dead letter.
 */
final class BoundedStackTrace {
    private final StringBuilder out;
    private final int limit;
    private final Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());

    private BoundedStackTrace(int limit) {
        this.limit = limit;
        this.out = new StringBuilder(Math.min(limit, 2048) + 64);
    }

    /** The rendering of {@code t}, at most {@code limit} characters. */
    static String render(Throwable t, int limit) {
        BoundedStackTrace r = new BoundedStackTrace(limit);
        r.seen.add(t);
        StackTraceElement[] trace = t.getStackTrace();
        r.line("", String.valueOf(t));
        for (int i = 0; i < trace.length && r.room(); i++) {
            r.line("\tat ", trace[i]);
        }
        for (Throwable s : t.getSuppressed()) {
            r.enclosed(s, trace, "Suppressed: ", "\t");
        }
        Throwable cause = t.getCause();
        if (cause != null) {
            r.enclosed(cause, trace, "Caused by: ", "");
        }
        return r.out.length() <= limit ? r.out.toString() : r.out.substring(0, limit);
    }

    private void enclosed(
            Throwable t, StackTraceElement[] enclosing, String caption, String prefix) {
        if (!room()) {
            return;
        }
        if (!seen.add(t)) {
            line(prefix + caption, "[CIRCULAR REFERENCE: " + t + "]");
            return;
        }
        StackTraceElement[] trace = t.getStackTrace();
        int m = trace.length - 1;
        int n = enclosing.length - 1;
        while (m >= 0 && n >= 0 && trace[m].equals(enclosing[n])) {
            m--;
            n--;
        }
        int inCommon = trace.length - 1 - m;
        line(prefix + caption, String.valueOf(t));
        for (int i = 0; i <= m && room(); i++) {
            line(prefix + "\tat ", trace[i]);
        }
        if (inCommon != 0) {
            line(prefix + "\t... ", inCommon + " more");
        }
        for (Throwable s : t.getSuppressed()) {
            enclosed(s, trace, "Suppressed: ", prefix + "\t");
        }
        Throwable cause = t.getCause();
        if (cause != null) {
            enclosed(cause, trace, "Caused by: ", prefix);
        }
    }

    private boolean room() {
        return out.length() < limit;
    }

    private void line(String prefix, Object text) {
        if (room()) {
            out.append(prefix).append(text).append(System.lineSeparator());
        }
    }
}

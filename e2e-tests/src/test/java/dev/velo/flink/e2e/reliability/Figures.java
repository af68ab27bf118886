package dev.velo.flink.e2e.reliability;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Shared bits of the reliability ITCases: the FIGURE lines they print and bounded waits. */
final class Figures {
    private Figures() {}

    /** Prints one result line, {@code FIGURE <name> key=value ...}, to stdout. */
    static void print(String name, String details) {
        System.out.println("FIGURE " + name + " " + details);
        System.out.flush();
    }

    /** Record count of the larger runs: {@code -Dvelo.e2e.records}, else {@code def}. */
    static int records(int def) {
        return Integer.getInteger("velo.e2e.records", def);
    }

    /**
     * Polls {@code condition} until it holds or {@code timeout} passes; returns whether it held.
     */
    static boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20); // polling interval, not synchronisation: the condition decides
        }
        return true;
    }

    /** Class names and messages of the whole cause chain, one per line. */
    static String causeChain(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c.getClass().getName()).append(": ").append(c.getMessage()).append('\n');
            for (Throwable s : c.getSuppressed()) {
                sb.append("  suppressed ").append(causeChain(s));
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return sb.toString();
    }
}

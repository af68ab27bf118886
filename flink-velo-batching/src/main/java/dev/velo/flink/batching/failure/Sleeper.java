package dev.velo.flink.batching.failure;

import org.apache.flink.annotation.PublicEvolving;

/** Waits between retries; tests inject a fake that records the delays. */
@PublicEvolving
@FunctionalInterface
public interface Sleeper {
    void sleep(long millis) throws InterruptedException;

    static Sleeper system() {
        return Thread::sleep;
    }
}

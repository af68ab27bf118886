package dev.velo.flink.batching.internal.failure;

import org.apache.flink.annotation.Internal;

/** Waits between retries; tests inject a fake that records the delays. */
@Internal
@FunctionalInterface
public interface Sleeper {
    void sleep(long millis) throws InterruptedException;

    static Sleeper system() {
        return Thread::sleep;
    }
}

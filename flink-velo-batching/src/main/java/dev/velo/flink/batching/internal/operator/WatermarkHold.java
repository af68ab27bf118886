package dev.velo.flink.batching.internal.operator;

import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.function.ThrowingConsumer;

/**
 * Holds back the watermark of a {@link BatchingOperator} while records are buffered or wait for a
 * retry, so that buffering never turns records late downstream; the operator releases it once the
 * batch is flushed and no retry is pending.
 *
 * <p>An IDLE status that arrives while a watermark is held back is held too, and forwarded right
 * after that watermark: Flink's outputs drop every watermark emitted while the announced status is
 * idle, so forwarding IDLE first would lose the held watermark and stall downstream event time.
 * ACTIVE cancels a held IDLE (downstream never saw it).
 */
@Internal
final class WatermarkHold {

    private final ThrowingConsumer<Watermark, Exception> forwardWatermark;
    private final ThrowingConsumer<WatermarkStatus, Exception> forwardStatus;
    @Nullable private Watermark held;
    // an IDLE status that arrived while a watermark was held: forwarded after that watermark
    private boolean idleHeld;

    WatermarkHold(
            ThrowingConsumer<Watermark, Exception> forwardWatermark,
            ThrowingConsumer<WatermarkStatus, Exception> forwardStatus) {
        this.forwardWatermark = forwardWatermark;
        this.forwardStatus = forwardStatus;
    }

    /** Forwards {@code mark} now, or holds it (replacing an earlier one) when {@code hold}. */
    void watermark(Watermark mark, boolean hold) throws Exception {
        if (hold) {
            held = mark;
        } else {
            forwardWatermark.accept(mark);
        }
    }

    /** Forwards {@code status}, unless a held watermark must go first (see the class comment). */
    void status(WatermarkStatus status) throws Exception {
        if (status.isIdle() && held != null) {
            idleHeld = true;
            return;
        }
        if (status.isActive() && idleHeld) {
            idleHeld = false;
            return;
        }
        forwardStatus.accept(status);
    }

    /** Forwards the held watermark, then a held IDLE. */
    void release() throws Exception {
        if (held != null) {
            Watermark w = held;
            held = null;
            forwardWatermark.accept(w);
        }
        if (idleHeld) {
            idleHeld = false;
            forwardStatus.accept(WatermarkStatus.IDLE);
        }
    }
}

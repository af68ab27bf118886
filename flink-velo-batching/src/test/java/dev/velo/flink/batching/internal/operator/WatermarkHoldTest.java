package dev.velo.flink.batching.internal.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.junit.jupiter.api.Test;

/** {@link WatermarkHold}: what is forwarded, held and released, in which order. */
class WatermarkHoldTest {

    private final List<String> forwarded = new ArrayList<>();
    private final WatermarkHold hold =
            new WatermarkHold(
                    w -> forwarded.add("wm " + w.getTimestamp()),
                    s -> forwarded.add(s.isIdle() ? "idle" : "active"));

    @Test
    void aWatermarkIsForwardedUnlessHeld() throws Exception {
        hold.watermark(new Watermark(1), false);
        hold.watermark(new Watermark(2), true);
        assertThat(forwarded).containsExactly("wm 1");
    }

    @Test
    void theLatestHeldWatermarkIsReleasedOnce() throws Exception {
        hold.watermark(new Watermark(2), true);
        hold.watermark(new Watermark(3), true);
        hold.release();
        hold.release();
        assertThat(forwarded).containsExactly("wm 3");
    }

    @Test
    void idleWaitsForTheHeldWatermarkAndFollowsIt() throws Exception {
        hold.watermark(new Watermark(5), true);
        hold.status(WatermarkStatus.IDLE);
        assertThat(forwarded).isEmpty();
        hold.release();
        assertThat(forwarded).containsExactly("wm 5", "idle");
    }

    @Test
    void activeCancelsAHeldIdle() throws Exception {
        hold.watermark(new Watermark(5), true);
        hold.status(WatermarkStatus.IDLE);
        hold.status(WatermarkStatus.ACTIVE);
        hold.release();
        assertThat(forwarded).containsExactly("wm 5");
    }

    @Test
    void statusesPassWhenNothingIsHeld() throws Exception {
        hold.status(WatermarkStatus.IDLE);
        hold.status(WatermarkStatus.ACTIVE);
        assertThat(forwarded).containsExactly("idle", "active");
    }
}

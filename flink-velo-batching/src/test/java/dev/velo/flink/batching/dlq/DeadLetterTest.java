package dev.velo.flink.batching.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

/** The dead-letter row: a Flink POJO, bounded stack trace, payload never printed. */
class DeadLetterTest {

    private static DeadLetter sample() {
        return DeadLetter.builder()
                .payload("secret-row".getBytes(StandardCharsets.UTF_8))
                .error(new IllegalStateException("boom"))
                .attempts(3)
                .failedAtMillis(123)
                .tableName("orders")
                .side(DeadLetter.SIDE_SOURCE)
                .strategy("SendToDLQ")
                .batchId(9)
                .kafka("in", 2, 42L)
                .build();
    }

    @Test
    void isAFlinkPojoAndRoundTrips() throws Exception {
        TypeInformation<DeadLetter> info = TypeInformation.of(DeadLetter.class);
        assertThat(info).isInstanceOf(PojoTypeInfo.class);
        TypeSerializer<DeadLetter> ser = info.createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(256);
        DeadLetter dl = sample();
        ser.serialize(dl, out);
        DeadLetter back = ser.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back).isEqualTo(dl);
        assertThat(InstantiationUtil.clone(dl)).isEqualTo(dl);
        assertThat(back.getKafkaPartition()).isEqualTo(2);
        assertThat(back.getKafkaOffset()).isEqualTo(42L);
    }

    @Test
    void stackTraceIsBoundedAndPayloadNeverPrinted() {
        Throwable deep = new RuntimeException("x");
        for (int i = 0; i < 500; i++) {
            deep = new RuntimeException("level " + i, deep);
        }
        DeadLetter dl = DeadLetter.builder().error(deep).build();
        assertThat(dl.getStackTrace()).hasSize(DeadLetter.MAX_STACK_TRACE_CHARS);
        assertThat(sample().toString()).doesNotContain("secret-row").contains("orders");
    }

    @Test
    void stackTraceReadsLikePrintStackTraceAndIsItsPrefixWhenCut() throws Exception {
        // built on a fresh thread, so the traces are short enough to render in full
        AtomicReference<Exception> built = new AtomicReference<>();
        Thread thread =
                new Thread(
                        () -> {
                            Exception root = new IllegalStateException("root");
                            Exception middle = new IOException("middle", root);
                            middle.addSuppressed(
                                    new IllegalArgumentException(
                                            "suppressed", new RuntimeException("in")));
                            built.set(nested(5, middle));
                        });
        thread.start();
        thread.join();
        Exception top = built.get();
        String full = printed(top);
        assertThat(full.length()).isLessThan(DeadLetter.MAX_STACK_TRACE_CHARS);
        assertThat(full)
                .contains("Caused by: java.io.IOException: middle", "\tSuppressed: ", "more");
        assertThat(DeadLetter.boundedStackTrace(top)).isEqualTo(full);

        Throwable deep = new RuntimeException("x");
        for (int i = 0; i < 300; i++) {
            deep = new RuntimeException("level " + i, deep);
        }
        assertThat(DeadLetter.boundedStackTrace(deep))
                .hasSize(DeadLetter.MAX_STACK_TRACE_CHARS)
                .isEqualTo(printed(deep).substring(0, DeadLetter.MAX_STACK_TRACE_CHARS));

        Exception a = new Exception("a");
        Exception b = new Exception("b", a);
        a.initCause(b);
        String cycle = printed(a);
        assertThat(cycle).contains("CIRCULAR REFERENCE");
        assertThat(DeadLetter.boundedStackTrace(a))
                .isEqualTo(
                        cycle.substring(
                                0, Math.min(cycle.length(), DeadLetter.MAX_STACK_TRACE_CHARS)));
    }

    /**
     * An exception thrown {@code depth} calls deep, so that its trace shares frames with its cause.
     */
    private static Exception nested(int depth, Exception cause) {
        if (depth == 0) {
            return new RuntimeException("top", cause);
        }
        return nested(depth - 1, cause);
    }

    private static String printed(Throwable t) {
        StringWriter sw = new StringWriter();
        t.printStackTrace(new PrintWriter(sw));
        return sw.toString();
    }

    @Test
    void defaultEncoderIsUtf8ToString() {
        assertThat(DeadLetterEncoder.toStringUtf8().payload("é"))
                .isEqualTo("é".getBytes(StandardCharsets.UTF_8));
        assertThat(DeadLetterEncoder.<Object>toStringUtf8().payload(new byte[] {1, 2}))
                .containsExactly(1, 2);
        assertThat(DeadLetterEncoder.toStringUtf8().payload(null))
                .isEqualTo("null".getBytes(StandardCharsets.UTF_8));
    }
}

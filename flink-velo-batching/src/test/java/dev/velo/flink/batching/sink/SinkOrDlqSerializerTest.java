package dev.velo.flink.batching.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.core.io.SimpleVersionedSerialization;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.junit.jupiter.api.Test;

/** The combined serializer of a velo sink's and its DLQ's committables and writer states. */
class SinkOrDlqSerializerTest {

    /** Writes "v<version>:<value>" so a test sees which serializer and version read the bytes. */
    static final class Tagging implements SimpleVersionedSerializer<String> {
        final int version;

        Tagging(int version) {
            this.version = version;
        }

        @Override
        public int getVersion() {
            return version;
        }

        @Override
        public byte[] serialize(String obj) {
            return obj.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String deserialize(int version, byte[] serialized) {
            return "v" + version + ":" + new String(serialized, StandardCharsets.UTF_8);
        }
    }

    private final SinkOrDlqSerializer<String, String> serializer =
            new SinkOrDlqSerializer<>(new Tagging(3), new Tagging(7));

    @Test
    void roundTripKeepsTheSideAndEachSidesOwnVersion() throws IOException {
        SinkOrDlq<String, String> sink = SinkOrDlq.ofSink("txn-1");
        SinkOrDlq<String, String> dlq = SinkOrDlq.ofDlq("dlq-txn-1");

        SinkOrDlq<String, String> sinkBack =
                serializer.deserialize(serializer.getVersion(), serializer.serialize(sink));
        SinkOrDlq<String, String> dlqBack =
                serializer.deserialize(serializer.getVersion(), serializer.serialize(dlq));

        assertThat(sinkBack.isDlq()).isFalse();
        assertThat(sinkBack.sink()).isEqualTo("v3:txn-1");
        assertThat(dlqBack.isDlq()).isTrue();
        assertThat(dlqBack.dlq()).isEqualTo("v7:dlq-txn-1");
    }

    @Test
    void roundTripThroughFlinksVersionedEnvelope() throws IOException {
        byte[] bytes =
                SimpleVersionedSerialization.writeVersionAndSerialize(
                        serializer, SinkOrDlq.ofDlq(""));
        SinkOrDlq<String, String> back =
                SimpleVersionedSerialization.readVersionAndDeSerialize(serializer, bytes);
        assertThat(back).isEqualTo(SinkOrDlq.ofDlq("v7:"));
    }

    @Test
    void versionIsItsOwnAndFarFromConnectorVersions() {
        assertThat(serializer.getVersion()).isEqualTo(SinkOrDlqSerializer.VERSION);
        assertThat(SinkOrDlqSerializer.VERSION).isGreaterThan(1000);
    }

    @Test
    void bytesOfAnotherVersionAreTheSinksOwnFromBeforeTheDlqCommitted() throws IOException {
        // a savepoint taken while the DLQ was at-least-once holds the wrapped sink's own bytes
        SinkOrDlq<String, String> back =
                serializer.deserialize(2, "old-state".getBytes(StandardCharsets.UTF_8));
        assertThat(back).isEqualTo(SinkOrDlq.ofSink("v2:old-state"));
    }

    @Test
    void corruptBytesAreRejected() throws IOException {
        byte[] bytes = serializer.serialize(SinkOrDlq.ofSink("x"));
        bytes[0] = 9;
        assertThatThrownBy(() -> serializer.deserialize(SinkOrDlqSerializer.VERSION, bytes))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("unknown tag 9");
        byte[] longer = new byte[bytes.length + 1];
        System.arraycopy(serializer.serialize(SinkOrDlq.ofSink("x")), 0, longer, 0, bytes.length);
        assertThatThrownBy(() -> serializer.deserialize(SinkOrDlqSerializer.VERSION, longer))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("after its end");
    }

    @Test
    void aSideWithoutSerializerRefusesItsValues() {
        SinkOrDlqSerializer<String, String> dlqOnly =
                new SinkOrDlqSerializer<>(null, new Tagging(1));
        assertThatThrownBy(() -> dlqOnly.serialize(SinkOrDlq.ofSink("x")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no serializer");
    }
}

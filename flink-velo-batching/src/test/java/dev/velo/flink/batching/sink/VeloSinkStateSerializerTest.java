package dev.velo.flink.batching.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerialization;
import org.junit.jupiter.api.Test;

/** The writer state serializer of a velo sink: the delegate's states and velo's retry entries. */
class VeloSinkStateSerializerTest {

    /**
     * Retry entries (1, 5, "x") and (0, no timestamp, "yz") in the tag 1 layout, which earlier
     * versions wrote and this one still writes for entries without an origin.
     */
    private static final String TAG1_X_YZ =
            // tag 1; 2 entries
            "01"
                    + "00000002"
                    // attempt 1; a timestamp, 5; 1 byte: x
                    + "00000001"
                    + "01"
                    + "0000000000000005"
                    + "00000001"
                    + "78"
                    // attempt 0; no timestamp; 2 bytes: yz
                    + "00000000"
                    + "00"
                    + "00000002"
                    + "797a";

    private final VeloSinkStateSerializer<String> serializer =
            new VeloSinkStateSerializer<>(new SinkOrDlqSerializerTest.Tagging(3));

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aVersionNoDelegateUses() {
        assertThat(VeloSinkStateSerializer.VERSION)
                .isEqualTo(0x56454C02)
                .isNotEqualTo(SinkOrDlqSerializer.VERSION)
                .isGreaterThan(1_000_000);
    }

    @Test
    void roundTripOfTheDelegatesStateKeepsItsOwnVersion() throws IOException {
        VeloSinkState<String> back =
                serializer.deserialize(
                        serializer.getVersion(),
                        serializer.serialize(VeloSinkState.ofDelegate("txn-1")));
        assertThat(back.isRetries()).isFalse();
        assertThat(back.delegate()).isEqualTo("v3:txn-1");
    }

    @Test
    void roundTripOfRetryEntriesKeepsOrderAttemptsAndTimestamps() throws IOException {
        List<VeloSinkState.RetryEntry> entries =
                List.of(
                        new VeloSinkState.RetryEntry(2, 17L, utf8("a")),
                        new VeloSinkState.RetryEntry(2, null, utf8("b")),
                        new VeloSinkState.RetryEntry(0, Long.MIN_VALUE, new byte[0]));
        byte[] bytes =
                SimpleVersionedSerialization.writeVersionAndSerialize(
                        serializer, VeloSinkState.ofRetries(entries));
        VeloSinkState<String> back =
                SimpleVersionedSerialization.readVersionAndDeSerialize(serializer, bytes);
        assertThat(back.isRetries()).isTrue();
        assertThat(back.retries()).containsExactlyElementsOf(entries);
    }

    @Test
    void aValueOfTheDelegatesOwnVersionReadsAsTheDelegatesState() throws IOException {
        // a savepoint of the job without velo, or of a velo sink that kept only this state
        VeloSinkState<String> back = serializer.deserialize(3, utf8("txn-0"));
        assertThat(back.isRetries()).isFalse();
        assertThat(back.delegate()).isEqualTo("v3:txn-0");
    }

    @Test
    void anOlderDlqCommittingStateReadsAsTheDelegatesStateThroughTheDlqSerializer()
            throws IOException {
        SinkOrDlqSerializer<String, String> before =
                new SinkOrDlqSerializer<>(
                        new SinkOrDlqSerializerTest.Tagging(3),
                        new SinkOrDlqSerializerTest.Tagging(7));
        byte[] old = before.serialize(SinkOrDlq.ofSink("txn-2"));
        SinkOrDlqSerializer<VeloSinkState<String>, String> now =
                new SinkOrDlqSerializer<>(serializer, new SinkOrDlqSerializerTest.Tagging(7));
        SinkOrDlq<VeloSinkState<String>, String> back =
                now.deserialize(SinkOrDlqSerializer.VERSION, old);
        assertThat(back.sink().delegate()).isEqualTo("v3:txn-2");
    }

    @Test
    void byteLayoutIsPinned() throws IOException {
        HexFormat hex = HexFormat.of();
        // tag 0; the delegate's version 3; 2 bytes
        assertThat(hex.formatHex(serializer.serialize(VeloSinkState.ofDelegate("ab"))))
                .isEqualTo("00" + "00000003" + "00000002" + "6162");
        VeloSinkState<String> retries =
                VeloSinkState.ofRetries(
                        List.of(
                                new VeloSinkState.RetryEntry(1, 5L, utf8("x")),
                                new VeloSinkState.RetryEntry(0, null, utf8("yz"))));
        assertThat(hex.formatHex(serializer.serialize(retries))).isEqualTo(TAG1_X_YZ);
    }

    @Test
    void roundTripOfRetryEntriesKeepsTheirOrigin() throws IOException {
        List<VeloSinkState.RetryEntry> entries =
                List.of(
                        new VeloSinkState.RetryEntry(1, 3L, utf8("k1")),
                        new VeloSinkState.RetryEntry(0, null, utf8("k2")));
        VeloSinkState<String> value =
                VeloSinkState.ofRetries(entries, new VeloSinkState.Origin(2, 1));
        VeloSinkState<String> back =
                SimpleVersionedSerialization.readVersionAndDeSerialize(
                        serializer,
                        SimpleVersionedSerialization.writeVersionAndSerialize(serializer, value));
        assertThat(back).isEqualTo(value);
        assertThat(back.retries()).containsExactlyElementsOf(entries);
        assertThat(back.origin()).contains(new VeloSinkState.Origin(2, 1));
    }

    @Test
    void byteLayoutOfRetryEntriesWithTheirOriginIsPinned() throws IOException {
        VeloSinkState<String> retries =
                VeloSinkState.ofRetries(
                        List.of(new VeloSinkState.RetryEntry(1, null, utf8("x"))),
                        new VeloSinkState.Origin(3, 2));
        assertThat(HexFormat.of().formatHex(serializer.serialize(retries)))
                .isEqualTo(
                        // tag 2; parallelism 3; subtask 2
                        "02"
                                + "00000003"
                                + "00000002"
                                // then the entries as under tag 1: 1 entry
                                + "00000001"
                                // attempt 1; no timestamp; 1 byte: x
                                + "00000001"
                                + "00"
                                + "00000001"
                                + "78");
    }

    /** Bytes an earlier version wrote (tag 1, without the origin): restored, origin unknown. */
    @Test
    void retryEntriesOfTheOlderLayoutWithoutOriginStillRestore() throws IOException {
        byte[] tag1 = HexFormat.of().parseHex(TAG1_X_YZ);
        VeloSinkState<String> back = serializer.deserialize(VeloSinkStateSerializer.VERSION, tag1);
        assertThat(back.isRetries()).isTrue();
        assertThat(back.origin()).isEmpty();
        assertThat(back.retries())
                .containsExactly(
                        new VeloSinkState.RetryEntry(1, 5L, utf8("x")),
                        new VeloSinkState.RetryEntry(0, null, utf8("yz")));
        // and such a value is written again as it was read
        assertThat(serializer.serialize(back)).isEqualTo(tag1);
    }

    @Test
    void aCorruptOriginIsRejectedClearly() {
        assertThatThrownBy(
                        () ->
                                serializer.deserialize(
                                        VeloSinkStateSerializer.VERSION,
                                        HexFormat.of().parseHex("02" + "00000002" + "00000002")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("subtask 2 of parallelism 2");
        assertThatThrownBy(
                        () ->
                                serializer.deserialize(
                                        VeloSinkStateSerializer.VERSION,
                                        HexFormat.of().parseHex("02" + "00000000" + "00000000")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("of parallelism 0");
    }

    @Test
    void corruptBytesAreRejectedClearly() {
        assertThatThrownBy(
                        () ->
                                serializer.deserialize(
                                        VeloSinkStateSerializer.VERSION, new byte[] {9}))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("unknown tag 9");
        assertThatThrownBy(
                        () ->
                                serializer.deserialize(
                                        VeloSinkStateSerializer.VERSION,
                                        new byte[] {1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 9}))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("length of 9");
        assertThatThrownBy(
                        () ->
                                serializer.deserialize(
                                        VeloSinkStateSerializer.VERSION,
                                        new byte[] {0, 0, 0, 0, 3, 0, 0, 0, 0, 7}))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("1 bytes after its end");
    }

    @Test
    void aDelegateStateForASinkWithoutStateIsRejected() throws IOException {
        VeloSinkStateSerializer<String> stateless = new VeloSinkStateSerializer<>(null);
        VeloSinkState<String> retries =
                VeloSinkState.ofRetries(List.of(new VeloSinkState.RetryEntry(1, null, utf8("r"))));
        assertThat(stateless.deserialize(stateless.getVersion(), stateless.serialize(retries)))
                .isEqualTo(retries);
        assertThatThrownBy(() -> stateless.deserialize(3, utf8("txn")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("keeps none");
    }

    @Test
    void aRetryEntryNeverPrintsItsRecord() {
        assertThat(new VeloSinkState.RetryEntry(1, null, utf8("secret")).toString())
                .doesNotContain("secret");
    }
}

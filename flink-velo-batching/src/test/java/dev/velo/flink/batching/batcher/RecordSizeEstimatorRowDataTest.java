package dev.velo.flink.batching.batcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.velo.flink.batching.internal.batcher.MemoryBasedBatcher;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.memory.MemorySegmentFactory;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.data.binary.BinaryRowData;
import org.apache.flink.table.data.utils.JoinedRowData;
import org.apache.flink.table.data.utils.ProjectedRowData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.MapType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.VarCharType;
import org.junit.jupiter.api.Test;

/** memory_based must count what rows hold, whatever their implementation. */
class RecordSizeEstimatorRowDataTest {

    private static final int MB = 1 << 20;
    private static final RecordSizeEstimator<RowData> UNTYPED = RecordSizeEstimators.forRowData();

    private static StringData text(int chars) {
        return StringData.fromString("x".repeat(chars));
    }

    @Test
    void aDecodedRowWithALargeStringCountsTheString() {
        // what the JSON decoder produces: a GenericRowData with a BinaryStringData made from a
        // String (not yet encoded)
        GenericRowData row = GenericRowData.of(42L, text(MB));
        assertThat(UNTYPED.estimate(row)).isBetween((long) MB, MB + 200L);
        // the same string materialized (encoded) counts its bytes
        GenericRowData encoded =
                GenericRowData.of(
                        42L,
                        StringData.fromBytes("é".repeat(1000).getBytes(StandardCharsets.UTF_8)));
        assertThat(UNTYPED.estimate(encoded)).isBetween(2000L, 2200L);
        assertThat(UNTYPED.estimate(GenericRowData.of(new byte[MB])))
                .isBetween((long) MB, MB + 100L);
    }

    @Test
    void nestedRowsArraysAndMapsAreWalked() {
        GenericRowData inner = GenericRowData.of(text(100_000), 7);
        List<Object> strings = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            strings.add(text(10_000));
        }
        GenericRowData row =
                GenericRowData.of(
                        inner,
                        new GenericArrayData(strings.toArray()),
                        new GenericMapData(Map.of(text(3), text(50_000))),
                        DecimalData.fromBigDecimal(
                                new BigDecimal("1234567890.123456789012"), 38, 12),
                        TimestampData.fromEpochMillis(0),
                        new GenericArrayData(new long[1000]));
        long estimate = UNTYPED.estimate(row);
        long held = 100_000 + 10 * 10_000 + 50_000 + 1000 * 8;
        assertThat(estimate).isBetween((long) held, held + 2_000L);
    }

    @Test
    void aBinaryRowIsItsExactSize() {
        // a row whose variable part holds a 1 MB string (its layout is not read: O(1))
        BinaryRowData row = new BinaryRowData(2);
        row.pointTo(MemorySegmentFactory.wrap(new byte[MB + 24]), 0, MB + 24);
        assertThat(UNTYPED.estimate(row)).isEqualTo(MB + 24);
        assertThat(
                        RecordSizeEstimators.forRowData(
                                        RowType.of(new BigIntType(), new VarCharType()))
                                .estimate(row))
                .isEqualTo(MB + 24);
    }

    @Test
    void rowsOfOtherImplementationsNeedTheType() {
        RowType type =
                RowType.of(
                        new BigIntType(),
                        new VarCharType(VarCharType.MAX_LENGTH),
                        new ArrayType(new VarCharType(VarCharType.MAX_LENGTH)),
                        new MapType(new IntType(), new VarCharType(VarCharType.MAX_LENGTH)),
                        RowType.of(new VarCharType(VarCharType.MAX_LENGTH)));
        JoinedRowData joined =
                new JoinedRowData(
                        GenericRowData.of(1L, text(MB)),
                        GenericRowData.of(
                                new GenericArrayData(new Object[] {text(1000), null}),
                                new GenericMapData(Map.of(1, text(2000))),
                                GenericRowData.of(text(3000))));
        long held = MB + 1000 + 2000 + 3000;
        assertThat(RecordSizeEstimators.forRowData(type).estimate(joined))
                .isBetween((long) held, held + 1000L);
        assertThat(UNTYPED.estimate(joined))
                .as("without the type only the arity is known")
                .isLessThan(100);
        ProjectedRowData projected =
                ProjectedRowData.from(new int[] {1}).replaceRow(GenericRowData.of(1L, text(MB)));
        assertThat(
                        RecordSizeEstimators.forRowData(
                                        RowType.of(new VarCharType(VarCharType.MAX_LENGTH)))
                                .estimate(projected))
                .isBetween((long) MB, MB + 100L);
    }

    @Test
    void memoryBudgetHoldsForDecodedRows() {
        // batch.memory_size = 10000: a 1 MB row goes alone; it used to count 24 bytes, so about
        // 400 of them (400 MB) would have been buffered
        MemoryBasedBatcher<RowData> b = new MemoryBasedBatcher<>(10_000, 1000, 60_000, UNTYPED);
        for (int i = 0; i < 3; i++) {
            assertThat(b.add(GenericRowData.of((long) i, text(MB)), i)).isTrue();
            assertThat(b.drain()).hasSize(1);
        }
        // 5 KB rows (about 5080 bytes counted): every second one reaches the budget
        int flushes = 0;
        long maxHeld = 0;
        long held = 0;
        for (int i = 0; i < 100; i++) {
            held += 5_000;
            maxHeld = Math.max(maxHeld, held);
            if (b.add(GenericRowData.of((long) i, text(5_000)), 100 + i)) {
                held -= 5_000L * b.drain().size();
                flushes++;
            }
        }
        assertThat(maxHeld).isLessThanOrEqualTo(10_000 + 5_000);
        assertThat(flushes).isEqualTo(50);
    }

    @Test
    void anOverSizeRecordFlushesTheBufferFirstThenGoesAlone() {
        MemoryBasedBatcher<String> b = new MemoryBasedBatcher<>(1000, 100, 500, s -> s.length());
        assertThat(b.add("a", 10)).isFalse();
        assertThat(b.add("b", 11)).isFalse();
        String big = "x".repeat(5000);
        assertThat(b.add(big, 12)).as("flush what is buffered first").isTrue();
        assertThat(b.drain()).containsExactly("a", "b");
        assertThat(b.size()).isEqualTo(1);
        assertThat(b.flushDeadline()).as("the large record is due at once").isEqualTo(12);
        assertThat(b.add("c", 13)).as("a record after it waits for the next batch").isTrue();
        assertThat(b.drain()).containsExactly(big);
        assertThat(b.size()).isEqualTo(1);
        assertThat(b.flushDeadline()).as("an ordinary batch again").isEqualTo(13 + 500);
        assertThat(b.add("d", 14)).isFalse();
        assertThat(b.drain()).containsExactly("c", "d");
        assertThat(b.isEmpty()).isTrue();
        // at an empty buffer it goes alone at once
        assertThat(b.add(big, 20)).isTrue();
        assertThat(b.drain()).containsExactly(big);
        assertThat(b.bytes()).isZero();
    }
}

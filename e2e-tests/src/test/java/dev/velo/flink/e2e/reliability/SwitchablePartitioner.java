package dev.velo.flink.e2e.reliability;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.connector.kafka.sink.KafkaPartitioner;
import org.apache.flink.table.data.RowData;

/**
 * A {@code sink.partitioner} (a {@code KafkaPartitioner}) with a bad condition that can be fixed:
 * while {@link #REFUSING} is on, it throws for every row whose first column (a BIGINT id) is a
 * multiple of 100, as a partitioner whose lookup table lacks those keys would. It runs inside the
 * Kafka writer's serialization, before the record reaches the producer. Otherwise it spreads ids
 * over the partitions.
 */
public class SwitchablePartitioner implements KafkaPartitioner<RowData> {
    private static final long serialVersionUID = 1L;

    /** The bad condition; the MiniCluster runs in this JVM, so the test flips it directly. */
    public static final AtomicBoolean REFUSING = new AtomicBoolean();

    @Override
    public int partition(
            RowData record, byte[] key, byte[] value, String targetTopic, int[] partitions) {
        long id = record.getLong(0);
        if (REFUSING.get() && id % 100 == 0) {
            throw new IllegalArgumentException("no partition for id " + id);
        }
        return partitions[(int) (id % partitions.length)];
    }
}

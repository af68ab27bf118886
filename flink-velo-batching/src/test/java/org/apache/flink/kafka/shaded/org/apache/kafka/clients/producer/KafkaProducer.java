package org.apache.flink.kafka.shaded.org.apache.kafka.clients.producer;

/**
 * Stand-in for the Kafka producer as the official Kafka SQL JAR relocates it: a producer whose
 * transaction a failed send aborted refuses every later send.
 */
public class KafkaProducer {
    private RuntimeException error;

    /** Every later send fails with {@code e} (a producer in an error state). */
    public void failSends(RuntimeException e) {
        this.error = e;
    }

    public void send(byte[] record) {
        if (error != null) {
            throw error;
        }
    }
}

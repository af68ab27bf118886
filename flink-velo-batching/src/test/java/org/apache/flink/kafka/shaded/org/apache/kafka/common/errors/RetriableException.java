package org.apache.flink.kafka.shaded.org.apache.kafka.common.errors;

/**
 * Stand-in for the Kafka client class of this name as the official Kafka SQL JAR relocates it: the
 * test classpath has no Kafka client, and flink-velo matches such classes by name only.
 */
public class RetriableException extends ApiException {
    public RetriableException(String message) {
        super(message);
    }
}

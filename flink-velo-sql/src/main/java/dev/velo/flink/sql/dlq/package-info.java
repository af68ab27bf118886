/**
 * The dead-letter queues of SQL tables: the DLQ writers per {@code dlq.connector}
 * ({@code @Internal}) and, public, the dead-letter columns ({@link
 * dev.velo.flink.sql.dlq.DeadLetterSchema}), the Kafka record headers ({@link
 * dev.velo.flink.sql.dlq.KafkaConnectHeaders}) and {@link dev.velo.flink.sql.dlq.ReplayAttempts}.
 */
package dev.velo.flink.sql.dlq;

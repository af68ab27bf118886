package dev.velo.flink.sql.dialect;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Reads a few records of a Kafka topic so that a Velostream script can leave out the schema of a
 * JSON Kafka source, as Velostream users do: the translator infers the columns from the sample. The
 * {@code velo} CLI gives one that reads with a Kafka consumer; without one, a Kafka source needs
 * its {@code schema}.
 */
@PublicEvolving
@FunctionalInterface
public interface TopicSampler {

    /**
     * Record values from the start of the topic's partitions, at most {@code maxRecords}, reading
     * at most {@code maxWait}.
     *
     * @param tableOptions the Flink options of the Kafka table (topic, properties.*)
     * @throws Exception when the topic cannot be read; the message is shown to the user
     */
    List<byte[]> sample(Map<String, String> tableOptions, int maxRecords, Duration maxWait)
            throws Exception;
}

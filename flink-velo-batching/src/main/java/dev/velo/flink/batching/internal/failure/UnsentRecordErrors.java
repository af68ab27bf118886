package dev.velo.flink.batching.internal.failure;

import org.apache.flink.annotation.Internal;

/**
 * Tells whether an error a transactional Kafka writer threw from {@code write} happened before the
 * record reached the producer, so that the transaction is untouched and the failure strategy may
 * apply to that one record (an exactly-once Kafka sink otherwise fails the task on any error, see
 * {@link AsyncWriteFailures}).
 *
 * <p>The Kafka connector's {@code KafkaWriter.write} (inherited unchanged by {@code
 * ExactlyOnceKafkaWriter}) does three things in order: it rethrows an earlier send failure as an
 * {@code IOException} ("One or more Kafka Producer send requests have encountered exception"),
 * calls the record serialization schema's {@code serialize} (the format's serializers and the
 * table's {@code sink.partitioner}, a {@code KafkaPartitioner}, run there), and only then hands the
 * serialized record to the producer's {@code send}. An error is taken as thrown before the send
 * only on evidence that excludes the other two:
 *
 * <ul>
 *   <li>it was thrown synchronously by {@code write} (the caller only asks for those, never for a
 *       {@code flush} error or one reported by a mail of the writer);
 *   <li>it is not an {@code IOException} (the rethrown send failure) and not an exception of the
 *       Kafka client, relocated or not ({@code org.apache.kafka.}, {@code
 *       org.apache.flink.kafka.shaded.org.apache.kafka.}): those come from the producer;
 *   <li>its stack holds the frame of {@code KafkaWriter.write}, the frame that method called is a
 *       {@code serialize} method (the record serialization schema's), and no frame above it is in
 *       the Kafka client or the connector's producer ({@code FlinkKafkaInternalProducer}): the
 *       error was raised inside the serialization, which never touches the transactional producer.
 * </ul>
 *
 * <p>Everything else (a send failure, a producer in an error state, a metadata timeout, an error
 * without a stack) is taken as possibly having poisoned the transaction.
 */
@Internal
public final class UnsentRecordErrors {

    /** The Kafka connector's writer; its {@code write} serializes, then sends. */
    static final String KAFKA_WRITER = "org.apache.flink.connector.kafka.sink.KafkaWriter";

    private static final String PRODUCER =
            "org.apache.flink.connector.kafka.sink.internal.FlinkKafkaInternalProducer";
    private static final String KAFKA_CLIENT = "org.apache.kafka.";
    private static final String SHADED_KAFKA_CLIENT = ".shaded.org.apache.kafka.";

    private UnsentRecordErrors() {}

    /**
     * Whether {@code error}, thrown by a Kafka writer's {@code write}, provably happened before the
     * record was handed to the producer (see the class comment).
     */
    public static boolean thrownBeforeSend(Throwable error) {
        if (error == null
                || error instanceof java.io.IOException
                || error instanceof InterruptedException
                || isKafkaClient(error.getClass().getName())) {
            return false;
        }
        StackTraceElement[] stack = error.getStackTrace();
        int writer = -1;
        for (int i = 0; i < stack.length; i++) {
            if (KAFKA_WRITER.equals(stack[i].getClassName())
                    && "write".equals(stack[i].getMethodName())) {
                writer = i;
                break;
            }
        }
        if (writer < 1 || !"serialize".equals(stack[writer - 1].getMethodName())) {
            return false;
        }
        for (int i = 0; i < writer; i++) {
            String c = stack[i].getClassName();
            if (isKafkaClient(c) || PRODUCER.equals(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isKafkaClient(String className) {
        return className.startsWith(KAFKA_CLIENT) || className.contains(SHADED_KAFKA_CLIENT);
    }
}

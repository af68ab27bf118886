package dev.velo.flink.e2e.infra;

import dev.velo.flink.sql.cli.EmbeddedKafka;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Main class of the test Kafka broker's own JVM ({@link KafkaBrokerJvm}): a single-node KRaft
 * broker ({@link EmbeddedKafka}) that runs until the JVM is stopped. Keeping the broker out of the
 * Flink JVMs keeps its unshaded Kafka classes out of them, as in a real installation.
 */
public final class KafkaBrokerMain {

    /** Printed on stdout, followed by the bootstrap servers, once the broker answers. */
    public static final String READY_PREFIX = "VELO_KAFKA_READY ";

    private KafkaBrokerMain() {}

    /**
     * Starts the broker and blocks until the JVM is stopped (SIGTERM), which stops the broker and
     * deletes its data.
     *
     * @param args optional start-up bound in seconds (default {@link
     *     EmbeddedKafka#DEFAULT_STARTUP_TIMEOUT})
     */
    public static void main(String[] args) throws InterruptedException {
        Duration timeout =
                args.length > 0
                        ? Duration.ofSeconds(Long.parseLong(args[0]))
                        : EmbeddedKafka.DEFAULT_STARTUP_TIMEOUT;
        EmbeddedKafka kafka = EmbeddedKafka.start(timeout);
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "velo-kafka-shutdown"));
        System.out.println(READY_PREFIX + kafka.bootstrapServers());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}

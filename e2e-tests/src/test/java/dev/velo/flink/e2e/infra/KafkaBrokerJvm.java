package dev.velo.flink.e2e.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A single-node Kafka broker in a JVM of its own ({@link KafkaBrokerMain}), so that no Flink JVM of
 * a test needs the broker's unshaded Kafka classes. The test JVM, which is not a Flink JVM, talks
 * to it with the plain Kafka clients: creating topics, producing input, reading output.
 */
public final class KafkaBrokerJvm implements AutoCloseable {

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path output;
    private final String bootstrapServers;

    private KafkaBrokerJvm(Process process, Path output, String bootstrapServers) {
        this.process = process;
        this.output = output;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Starts the broker JVM with its data, log and output under {@code workDir} and waits until it
     * reports ready.
     *
     * @throws IllegalStateException if it exits or does not report ready within 90 s; it is stopped
     *     by then
     */
    public static KafkaBrokerJvm start(Path workDir) {
        Path tmp = workDir.resolve("tmp");
        Path output = workDir.resolve("kafka.out");
        Path log4j = workDir.resolve("log4j-kafka.properties");
        try {
            Files.createDirectories(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + tmp, e);
        }
        ChildJvm.writeLog4jConfig(log4j, "INFO");
        List<String> jvmArgs =
                List.of(
                        "-Xmx384m",
                        "-XX:+UseSerialGC",
                        "-XX:TieredStopAtLevel=1",
                        "-Djava.io.tmpdir=" + tmp.toAbsolutePath(),
                        "-Dlog.file=" + workDir.resolve("kafka.log").toAbsolutePath(),
                        "-Dlog4j.configurationFile=" + log4j.toUri());
        Process p =
                ChildJvm.start(
                        ChildJvm.command(
                                workDir,
                                FlinkClasspath.forHelperJvm(KafkaBrokerMain.class),
                                jvmArgs,
                                KafkaBrokerMain.class.getName(),
                                List.of(Long.toString(STARTUP_TIMEOUT.toSeconds()))),
                        Map.of(),
                        output);
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.plusSeconds(10).toNanos();
        try {
            while (System.nanoTime() < deadline) {
                Optional<String> bootstrap = readyLine(output);
                if (bootstrap.isPresent()) {
                    return new KafkaBrokerJvm(p, output, bootstrap.get());
                }
                if (!p.isAlive()) {
                    throw new IllegalStateException(
                            "The Kafka broker JVM exited ("
                                    + p.exitValue()
                                    + "):\n"
                                    + ChildJvm.tail(output, 4000));
                }
                // poll interval; the wait is bounded by the deadline
                TimeUnit.MILLISECONDS.sleep(100);
            }
            throw new IllegalStateException(
                    "The Kafka broker JVM did not report ready within "
                            + STARTUP_TIMEOUT.plusSeconds(10).toSeconds()
                            + " s:\n"
                            + ChildJvm.tail(output, 4000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ChildJvm.kill(p);
            throw new IllegalStateException("Interrupted while the Kafka broker started", e);
        } catch (RuntimeException e) {
            ChildJvm.kill(p);
            throw e;
        }
    }

    /** {@code host:port} of the broker's PLAINTEXT listener. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Creates a topic with replication factor 1 and waits until the broker has created it. */
    public void createTopic(String name, int partitions) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(props)) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                    .all()
                    .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topic " + name, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot create topic " + name, e);
        }
    }

    /** Writes the values (UTF-8, no keys) and waits until the broker has acknowledged each. */
    public void produce(String topic, List<String> values) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, CALL_TIMEOUT.toMillis());
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            List<Future<RecordMetadata>> acks = new ArrayList<>(values.size());
            for (String value : values) {
                acks.add(producer.send(new ProducerRecord<>(topic, value)));
            }
            producer.flush();
            for (Future<RecordMetadata> ack : acks) {
                ack.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while producing to " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot produce to " + topic, e);
        }
    }

    /**
     * Reads the whole topic up to its current end, the last stable offset under {@code
     * read_committed} (what a downstream consumer sees: committed transactions only), and returns
     * the values as UTF-8 strings, in partition and offset order. A count of the result is exact.
     */
    public List<String> readAll(String topic, boolean readCommitted) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                readCommitted ? "read_committed" : "read_uncommitted");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(topic, CALL_TIMEOUT).stream()
                            .map(p -> new TopicPartition(topic, p.partition()))
                            .collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, CALL_TIMEOUT);
            while (!reached(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "Could not read " + topic + " up to " + end + " within 1 min");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(
                            r.value() == null
                                    ? null
                                    : new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return values;
    }

    /** Stops the broker JVM (SIGTERM: the broker shuts down and deletes its data). */
    @Override
    public void close() {
        ChildJvm.stop(process, Duration.ofSeconds(20));
    }

    /** What the broker JVM printed, for failure messages. */
    public String outputTail() {
        return ChildJvm.tail(output, 4000);
    }

    private static boolean reached(
            KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey(), CALL_TIMEOUT) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static Optional<String> readyLine(Path output) {
        if (!Files.exists(output)) {
            return Optional.empty();
        }
        try {
            return Files.readAllLines(output, StandardCharsets.UTF_8).stream()
                    .filter(l -> l.startsWith(KafkaBrokerMain.READY_PREFIX))
                    .map(l -> l.substring(KafkaBrokerMain.READY_PREFIX.length()).trim())
                    .findFirst();
        } catch (IOException | UncheckedIOException e) {
            // read while being written (a partial UTF-8 sequence): try again on the next poll
            return Optional.empty();
        }
    }
}

package dev.velo.flink.sql.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.flink.annotation.Internal;
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
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka broker (KRaft, combined broker and controller) running inside this JVM on
 * free loopback ports, for the {@code velo demo} command and for tests.
 *
 * <p>Start-up is bounded; {@link #stop()} and {@link #restart()} let a test take the broker away
 * mid-run and bring it back on the same ports with the same data. {@link #close()} stops it and
 * deletes its data directory.
 *
 * <p>Why this class is one file of more than 400 lines: it is the one broker of the {@code velo
 * demo} and of every Kafka test in this project (here and in e2e-tests), and its parts only make
 * sense together. Formatting the storage, starting the KRaft server, the SASL listener, bounded
 * readiness, stop/restart on the same ports and the JVM-exit and logging guards Kafka's server code
 * needs share the broker's ports, properties and lifecycle state; the produce/consume helpers are
 * what the demo and the tests call on it. Split apart, each piece would have to reach into the
 * others' state.
 */
@Internal
public final class EmbeddedKafka implements AutoCloseable {

    /** Default bound on start-up (format, server start, first successful metadata call). */
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(60);

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final String HOST = "127.0.0.1";
    private static final Duration CLIENT_CALL_TIMEOUT = Duration.ofSeconds(30);

    private final Path dataDir;
    private final int brokerPort;
    private final int controllerPort;
    private final int saslPort;
    private final Properties brokerProps;
    private final Duration startupTimeout;

    private KafkaRaftServer server;

    private EmbeddedKafka(
            Path dataDir,
            int brokerPort,
            int controllerPort,
            Duration timeout,
            int saslPort,
            Map<String, String> saslUsers) {
        this.dataDir = dataDir;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.saslPort = saslPort;
        this.startupTimeout = timeout;
        this.brokerProps = brokerProperties(dataDir.resolve("logs"), brokerPort, controllerPort);
        if (saslPort > 0) {
            addSaslPlainListener(brokerProps, saslPort, saslUsers);
        }
    }

    /** Formats storage and starts a broker, waiting at most {@link #DEFAULT_STARTUP_TIMEOUT}. */
    public static EmbeddedKafka start() {
        return start(DEFAULT_STARTUP_TIMEOUT);
    }

    /**
     * Formats storage and starts a broker, waiting at most {@code startupTimeout} for it to answer
     * metadata requests.
     *
     * @throws IllegalStateException if the broker is not ready in time; everything started so far
     *     has been stopped and deleted by then
     */
    public static EmbeddedKafka start(Duration startupTimeout) {
        return start(startupTimeout, Map.of());
    }

    /**
     * Like {@link #start(Duration)}, with a second listener that takes SASL/PLAIN logins of the
     * given users (name → password) on {@link #saslBootstrapServers()}; the PLAINTEXT listener
     * stays for the broker itself and for test clients.
     */
    public static EmbeddedKafka startWithSaslPlain(
            Duration startupTimeout, Map<String, String> users) {
        if (users.isEmpty()) {
            throw new IllegalArgumentException("a SASL/PLAIN listener needs at least one user");
        }
        return start(startupTimeout, users);
    }

    private static EmbeddedKafka start(Duration startupTimeout, Map<String, String> saslUsers) {
        quietKafkaLoggers();
        keepHostJvmAlive();
        Path dir;
        try {
            dir = Files.createTempDirectory("velo-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a data directory for Kafka", e);
        }
        EmbeddedKafka kafka = null;
        try {
            int[] ports = freePorts(3);
            kafka =
                    new EmbeddedKafka(
                            dir,
                            ports[0],
                            ports[1],
                            startupTimeout,
                            saslUsers.isEmpty() ? -1 : ports[2],
                            saslUsers);
            kafka.formatStorage();
            kafka.startServer();
            return kafka;
        } catch (RuntimeException | Error e) {
            if (kafka != null) {
                kafka.close();
            } else {
                deleteRecursively(dir);
            }
            throw e;
        }
    }

    /** {@code host:port} of the SASL/PLAIN listener of {@link #startWithSaslPlain}. */
    public String saslBootstrapServers() {
        if (saslPort <= 0) {
            throw new IllegalStateException("this broker has no SASL listener");
        }
        return HOST + ":" + saslPort;
    }

    /** {@code host:port} of the PLAINTEXT listener, for {@code properties.bootstrap.servers}. */
    public String bootstrapServers() {
        return HOST + ":" + brokerPort;
    }

    /**
     * The temporary directory holding the broker's config and logs; deleted by {@link #close()}.
     */
    public Path dataDirectory() {
        return dataDir;
    }

    /** Whether the broker is currently running (false between {@link #stop()} and restart). */
    public synchronized boolean isRunning() {
        return server != null;
    }

    /** Creates a topic with replication factor 1 and waits until the broker has created it. */
    public void createTopic(String name, int partitions) {
        try (Admin admin = Admin.create(adminProps())) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                    .all()
                    .get(CLIENT_CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topic " + name, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot create topic " + name, e);
        }
    }

    /** Writes the values (no keys) and waits until every one is acknowledged by the broker. */
    public void produce(String topic, List<byte[]> values) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) CLIENT_CALL_TIMEOUT.toMillis());
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, CLIENT_CALL_TIMEOUT.toMillis());
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<RecordMetadata>> acks = new ArrayList<>(values.size());
            for (byte[] value : values) {
                acks.add(producer.send(new ProducerRecord<>(topic, value)));
            }
            producer.flush();
            for (Future<RecordMetadata> ack : acks) {
                ack.get(CLIENT_CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while producing to " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot produce to topic " + topic, e);
        }
    }

    /** {@link #produce} with UTF-8 encoded strings. */
    public void produceStrings(String topic, List<String> values) {
        produce(
                topic,
                values.stream()
                        .map(v -> v.getBytes(StandardCharsets.UTF_8))
                        .collect(Collectors.toList()));
    }

    /**
     * Reads the topic from the beginning with {@code isolation.level=read_committed} (what a
     * downstream consumer would see) until at least {@code expectedCount} records have arrived or
     * the timeout has passed, and returns what was read, ordered by partition then offset.
     *
     * <p>It does not fail on timeout: the caller asserts on the returned list, whose contents make
     * the better failure message.
     */
    public List<Record> consumeAll(String topic, int expectedCount, Duration timeout) {
        return consumeAll(topic, expectedCount, timeout, Map.of());
    }

    /** {@link #consumeAll(String, int, Duration)} with extra consumer properties. */
    public List<Record> consumeAll(
            String topic, int expectedCount, Duration timeout, Map<String, Object> overrides) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putAll(overrides);
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Record> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = awaitPartitions(consumer, topic, deadline);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (out.size() < expectedCount && System.nanoTime() < deadline) {
                long leftMs = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
                for (ConsumerRecord<byte[], byte[]> r :
                        consumer.poll(Duration.ofMillis(Math.min(leftMs, 500)))) {
                    out.add(new Record(r.partition(), r.offset(), r.key(), r.value()));
                }
            }
        }
        out.sort(Comparator.comparingInt(Record::partition).thenComparingLong(Record::offset));
        return out;
    }

    /** {@link #consumeAll(String, int, Duration)} returning the values as UTF-8 strings. */
    public List<String> consumeStrings(String topic, int expectedCount, Duration timeout) {
        return consumeAll(topic, expectedCount, timeout).stream()
                .map(Record::valueAsString)
                .collect(Collectors.toList());
    }

    /**
     * Shuts the broker down, keeping its data and ports reserved for {@link #restart()}. Clients
     * see a broker outage. Does nothing if already stopped.
     */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        KafkaRaftServer s = server;
        server = null;
        long begin = System.nanoTime();
        s.shutdown();
        s.awaitShutdown();
        LOG.info("Kafka broker stopped in {} ms", (System.nanoTime() - begin) / 1_000_000);
    }

    /**
     * Stops the broker if running and starts it again on the same ports with the same data, bounded
     * like the first start.
     */
    public synchronized void restart() {
        stop();
        startServer();
    }

    /** Stops the broker and deletes its data directory. */
    @Override
    public void close() {
        try {
            stop();
        } finally {
            deleteRecursively(dataDir);
        }
    }

    /** One consumed record. */
    public record Record(int partition, long offset, byte[] key, byte[] value) {

        /** The value decoded as UTF-8, or null for a tombstone. */
        public String valueAsString() {
            return value == null ? null : new String(value, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return partition + "@" + offset + ":" + valueAsString();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Record r
                    && r.partition == partition
                    && r.offset == offset
                    && Arrays.equals(r.key, key)
                    && Arrays.equals(r.value, value);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * Integer.hashCode(partition) + Long.hashCode(offset))
                    + Arrays.hashCode(value);
        }
    }

    // ---------------------------------------------------------------------------------------

    private void formatStorage() {
        Path config = dataDir.resolve("server.properties");
        try (OutputStream os = Files.newOutputStream(config)) {
            brokerProps.store(os, "velo embedded kafka");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + config, e);
        }
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int rc;
        try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            rc =
                    StorageTool.execute(
                            new String[] {
                                "format",
                                "-t",
                                Uuid.randomUuid().toString(),
                                "-c",
                                config.toString()
                            },
                            out);
        }
        if (rc != 0) {
            throw new IllegalStateException(
                    "Formatting Kafka storage in "
                            + dataDir
                            + " failed (exit "
                            + rc
                            + "): "
                            + captured.toString(StandardCharsets.UTF_8));
        }
    }

    private synchronized void startServer() {
        long deadline = System.nanoTime() + startupTimeout.toNanos();
        KafkaRaftServer s =
                new KafkaRaftServer(KafkaConfig.fromProps(brokerProps, false), Time.SYSTEM);
        server = s;
        // startup() can block on the quorum; run it aside so the bound holds.
        CompletableFuture<Void> started = CompletableFuture.runAsync(s::startup, daemonThread());
        long begin = System.nanoTime();
        try {
            started.get(remainingMs(deadline), TimeUnit.MILLISECONDS);
            long serverUp = System.nanoTime();
            awaitClusterReady(deadline);
            LOG.info(
                    "Kafka broker ready at {} in {} ms (startup() {} ms)",
                    bootstrapServers(),
                    (System.nanoTime() - begin) / 1_000_000,
                    (serverUp - begin) / 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopAfterFailedStart();
            throw new IllegalStateException("Interrupted while starting the Kafka broker", e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            stopAfterFailedStart();
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException(
                    "Embedded Kafka broker at "
                            + bootstrapServers()
                            + " was not ready within "
                            + startupTimeout.toSeconds()
                            + " s (data dir "
                            + dataDir
                            + "): "
                            + cause,
                    cause);
        }
    }

    private void stopAfterFailedStart() {
        try {
            stop();
        } catch (RuntimeException ignored) {
            // the start failure is the error worth reporting
        }
    }

    private void awaitClusterReady(long deadline) throws InterruptedException, TimeoutException {
        Properties props = adminProps();
        props.put(
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                (int) Math.max(1000, remainingMs(deadline)));
        try (Admin admin = Admin.create(props)) {
            while (true) {
                try {
                    if (!admin.describeCluster()
                            .nodes()
                            .get(remainingMs(deadline), TimeUnit.MILLISECONDS)
                            .isEmpty()) {
                        return;
                    }
                } catch (ExecutionException retriable) {
                    // not answering yet
                }
                if (remainingMs(deadline) <= 1) {
                    throw new TimeoutException("describeCluster() returned no broker");
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
        }
    }

    private Properties adminProps() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return props;
    }

    private static List<TopicPartition> awaitPartitions(
            KafkaConsumer<?, ?> consumer, String topic, long deadline) {
        while (true) {
            List<PartitionInfo> infos =
                    consumer.partitionsFor(topic, Duration.ofMillis(remainingMs(deadline)));
            if (infos != null && !infos.isEmpty()) {
                return infos.stream()
                        .map(p -> new TopicPartition(topic, p.partition()))
                        .collect(Collectors.toList());
            }
            if (remainingMs(deadline) <= 1) {
                throw new IllegalStateException("Topic " + topic + " has no partitions");
            }
        }
    }

    private static void addSaslPlainListener(Properties p, int port, Map<String, String> users) {
        p.put("listeners", p.get("listeners") + ",SASL_PLAINTEXT://" + HOST + ":" + port);
        p.put(
                "advertised.listeners",
                p.get("advertised.listeners") + ",SASL_PLAINTEXT://" + HOST + ":" + port);
        p.put(
                "listener.security.protocol.map",
                p.get("listener.security.protocol.map") + ",SASL_PLAINTEXT:SASL_PLAINTEXT");
        p.put("sasl.enabled.mechanisms", "PLAIN");
        p.put("listener.name.sasl_plaintext.sasl.enabled.mechanisms", "PLAIN");
        StringBuilder jaas =
                new StringBuilder(
                        "org.apache.kafka.common.security.plain.PlainLoginModule required");
        users.forEach(
                (user, password) ->
                        jaas.append(" user_")
                                .append(user)
                                .append("=\"")
                                .append(password)
                                .append('"'));
        p.put("listener.name.sasl_plaintext.plain.sasl.jaas.config", jaas.append(';').toString());
    }

    private static Properties brokerProperties(Path logDir, int brokerPort, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@" + HOST + ":" + controllerPort);
        p.put(
                "listeners",
                "PLAINTEXT://"
                        + HOST
                        + ":"
                        + brokerPort
                        + ",CONTROLLER://"
                        + HOST
                        + ":"
                        + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("num.partitions", "1");
        p.put("default.replication.factor", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // Flink's exactly-once Kafka sink asks for 1 h transactions; the broker default caps 15
        // min.
        p.put("transaction.max.timeout.ms", "3600000");
        // the broker is unfenced (start) and shut down (stop) on heartbeat round trips: make them
        // short
        p.put("broker.heartbeat.interval.ms", "500");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        p.put("log.flush.interval.messages", "1");
        return p;
    }

    private static long remainingMs(long deadlineNanos) {
        return Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000);
    }

    private static java.util.concurrent.Executor daemonThread() {
        return r -> {
            Thread t = new Thread(r, "velo-kafka-startup");
            t.setDaemon(true);
            t.start();
        };
    }

    private static int[] freePorts(int n) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                // held open together so the n ports differ
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST));
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find free loopback ports", e);
        } finally {
            for (ServerSocket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // port probing only
                }
            }
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(
                            p -> {
                                try {
                                    Files.deleteIfExists(p);
                                } catch (IOException ignored) {
                                    // best effort: a temp dir left behind is harmless
                                }
                            });
        } catch (IOException ignored) {
            // best effort
        }
    }

    /**
     * A broker fault handler calls Kafka's {@code Exit.halt}, which would end the whole JVM (the
     * CLI, the test run). The broker is a guest here: turn that into an exception on the faulting
     * thread instead, as Kafka's own in-process test clusters do.
     */
    private static void keepHostJvmAlive() {
        Exit.setHaltProcedure(
                (code, message) -> {
                    throw new IllegalStateException(
                            "Embedded Kafka broker asked to halt the JVM ("
                                    + code
                                    + "): "
                                    + message);
                });
        Exit.setExitProcedure(
                (code, message) -> {
                    throw new IllegalStateException(
                            "Embedded Kafka broker asked to exit the JVM ("
                                    + code
                                    + "): "
                                    + message);
                });
    }

    /**
     * The broker logs every partition and config change at INFO; raise its loggers to WARN when
     * log4j is the backend and they would otherwise log INFO. Other backends are left alone.
     */
    private static void quietKafkaLoggers() {
        try {
            for (String name : List.of("kafka", "org.apache.kafka", "state.change.logger")) {
                if (org.apache.logging.log4j.LogManager.getLogger(name).isInfoEnabled()) {
                    org.apache.logging.log4j.core.config.Configurator.setLevel(
                            name, org.apache.logging.log4j.Level.WARN);
                }
            }
        } catch (LinkageError | RuntimeException noLog4j) {
            // log4j-core absent: nothing to adjust
        }
    }
}

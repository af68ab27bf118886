package dev.velo.flink.sql.testing;

import dev.velo.flink.sql.cli.EmbeddedKafka;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The embedded Kafka broker of a test class: started before its tests (then {@code setUp} runs,
 * e.g. to create and fill topics), stopped after them. Register it as a static field with
 * {@code @RegisterExtension}.
 */
public final class EmbeddedKafkaExtension implements BeforeAllCallback, AfterAllCallback {

    private final Duration startupTimeout;
    private final Consumer<EmbeddedKafka> setUp;
    private EmbeddedKafka kafka;

    /** A broker started within {@link EmbeddedKafka#DEFAULT_STARTUP_TIMEOUT}, nothing set up. */
    public EmbeddedKafkaExtension() {
        this(EmbeddedKafka.DEFAULT_STARTUP_TIMEOUT, k -> {});
    }

    public EmbeddedKafkaExtension(Duration startupTimeout, Consumer<EmbeddedKafka> setUp) {
        this.startupTimeout = startupTimeout;
        this.setUp = setUp;
    }

    /** The running broker. */
    public EmbeddedKafka get() {
        if (kafka == null) {
            throw new IllegalStateException("the broker runs only while the test class runs");
        }
        return kafka;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        kafka = EmbeddedKafka.start(startupTimeout);
        setUp.accept(kafka);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
    }
}

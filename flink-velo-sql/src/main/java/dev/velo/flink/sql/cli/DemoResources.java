package dev.velo.flink.sql.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.annotation.Internal;

/** Loads the demo's dialect script from the classpath. */
@Internal
public final class DemoResources {

    /** Classpath location of the demo script. */
    public static final String DEMO_SCRIPT = "demo/demo.sql";

    private DemoResources() {}

    /** The text of {@code demo/demo.sql}; it reads {@code ${KAFKA_BROKERS}}. */
    public static String demoScript() {
        try (InputStream in =
                DemoResources.class.getClassLoader().getResourceAsStream(DEMO_SCRIPT)) {
            if (in == null) {
                throw new IllegalStateException(DEMO_SCRIPT + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.velo.flink.batching.failure;

import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.config.FailureOptions;
import java.io.IOException;
import java.io.Serializable;
import java.sql.SQLNonTransientException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Decides which failures are worth retrying, by looking at the error and every cause in its chain
 * (and at the superclasses of each). The rules, first match wins over the whole chain:
 *
 * <ol>
 *   <li>a {@link VeloNonRetriableException}, or a class listed in {@code
 *       retry.non_retriable_errors}: not retried;
 *   <li>a {@link VeloRetriableException}, or a class listed in {@code retry.retriable_errors}:
 *       retried;
 *   <li>errors that fail the same way every time: non-transient SQL errors ({@link
 *       SQLNonTransientException}: constraint violations, syntax, data errors), parse and
 *       serialization errors (Jackson, Avro, Protobuf, Kafka's {@code SerializationException},
 *       malformed character input, number and date parsing), records or batches too large,
 *       authentication and authorization failures (Kafka's, SASL/SSL handshakes, {@code
 *       AccessDeniedException}), invalid configuration, a fenced producer: not retried;
 *   <li>transient errors: {@link SQLTransientException}, {@link SQLRecoverableException}, any other
 *       {@link IOException}, {@link TimeoutException}, and classes whose simple name ends in {@code
 *       RetriableException}, {@code TimeoutException} or {@code TransientException} (but not {@code
 *       NonRetriableException}/{@code NonTransientException}): retried;
 *   <li>anything else: not retried.
 * </ol>
 *
 * <p>Third-party classes (Kafka, Jackson, Avro, ...) are matched by name, never loaded: flink-velo
 * does not depend on them and fat JARs relocate them (the Kafka SQL JAR moves Kafka's classes under
 * {@code org.apache.flink.kafka.shaded.}), so built-in rules look at simple names, and a configured
 * name matches a class whose name equals it or ends in {@code .}+name (or {@code $}+name).
 */
@PublicEvolving
public final class RetriableErrors {

    private static final int MAX_CHAIN = 32;

    /** Simple names (of a class or any superclass) that are never retried, with the reason. */
    private static final Map<String, String> NON_RETRIABLE_NAMES = nonRetriableNames();

    private RetriableErrors() {}

    /** The built-in rules only (no configured class lists). */
    public static boolean isRetriable(Throwable error) {
        return classify(error, Collections.emptyList(), Collections.emptyList()).isRetriable();
    }

    /** The built-in rules plus the class lists configured in {@code config}. */
    public static boolean isRetriable(Throwable error, FailureConfig config) {
        return classify(error, config).isRetriable();
    }

    /** The decision for {@code error} under the class lists configured in {@code config}. */
    public static Decision classify(Throwable error, FailureConfig config) {
        return classify(error, config.retriableErrors(), config.nonRetriableErrors());
    }

    /**
     * The decision for {@code error}.
     *
     * @param retriable class names that are always retried (see the class comment for matching)
     * @param nonRetriable class names that are never retried; they win over {@code retriable}
     */
    public static Decision classify(
            Throwable error, List<String> retriable, List<String> nonRetriable) {
        Throwable[] chain = chain(error);
        for (Throwable t : chain) {
            if (t instanceof VeloNonRetriableException) {
                return new Decision(false, "marked non-retriable", t.getClass().getName());
            }
            String listed = listed(t, nonRetriable);
            if (listed != null) {
                return new Decision(
                        false, "listed in " + FailureOptions.NON_RETRIABLE_ERRORS.key(), listed);
            }
        }
        for (Throwable t : chain) {
            if (t instanceof VeloRetriableException) {
                return new Decision(true, "marked retriable", t.getClass().getName());
            }
            String listed = listed(t, retriable);
            if (listed != null) {
                return new Decision(
                        true, "listed in " + FailureOptions.RETRIABLE_ERRORS.key(), listed);
            }
        }
        for (Throwable t : chain) {
            Decision d = builtInNonRetriable(t);
            if (d != null) {
                return d;
            }
        }
        for (Throwable t : chain) {
            Decision d = builtInRetriable(t);
            if (d != null) {
                return d;
            }
        }
        return new Decision(
                false,
                "no transient error in the cause chain",
                error == null ? null : error.getClass().getName());
    }

    /**
     * True when {@code className} names {@code c} exactly or is its trailing part after a {@code .}
     * (package) or {@code $} (enclosing class).
     */
    static boolean nameMatches(Class<?> c, String className) {
        String name = c.getName();
        if (name.equals(className)) {
            return true;
        }
        if (name.length() <= className.length() || !name.endsWith(className)) {
            return false;
        }
        char before = name.charAt(name.length() - className.length() - 1);
        return before == '.' || before == '$';
    }

    private static Throwable[] chain(Throwable error) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        java.util.ArrayList<Throwable> out = new java.util.ArrayList<>(4);
        for (Throwable t = error; t != null && out.size() < MAX_CHAIN && seen.add(t); ) {
            out.add(t);
            t = t.getCause();
        }
        return out.toArray(new Throwable[0]);
    }

    @Nullable
    private static String listed(Throwable t, List<String> classNames) {
        if (classNames.isEmpty()) {
            return null;
        }
        for (Class<?> c = t.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (String name : classNames) {
                if (nameMatches(c, name)) {
                    return c.getName();
                }
            }
        }
        return null;
    }

    @Nullable
    private static Decision builtInNonRetriable(Throwable t) {
        if (t instanceof SQLNonTransientException) {
            return new Decision(false, "non-transient SQL error", t.getClass().getName());
        }
        for (Class<?> c = t.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            String simple = c.getSimpleName();
            String reason = NON_RETRIABLE_NAMES.get(simple);
            if (reason != null) {
                return new Decision(false, reason, c.getName());
            }
            if (simple.endsWith("NonRetriableException")
                    || simple.endsWith("NonTransientException")) {
                return new Decision(false, "non-transient error", c.getName());
            }
        }
        return null;
    }

    @Nullable
    private static Decision builtInRetriable(Throwable t) {
        if (t instanceof SQLTransientException || t instanceof SQLRecoverableException) {
            return new Decision(true, "transient SQL error", t.getClass().getName());
        }
        if (t instanceof TimeoutException) {
            return new Decision(true, "timeout", t.getClass().getName());
        }
        if (t instanceof IOException) {
            return new Decision(true, "I/O error", t.getClass().getName());
        }
        for (Class<?> c = t.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            String name = c.getSimpleName();
            if (name.endsWith("RetriableException")
                    || name.endsWith("TimeoutException")
                    || name.endsWith("TransientException")) {
                return new Decision(true, "transient error", c.getName());
            }
        }
        return null;
    }

    private static Map<String, String> nonRetriableNames() {
        Map<String, String> m = new java.util.HashMap<>();
        addNames(
                m,
                "parse or serialization error",
                // Jackson (also Flink's shaded copy): JsonParseException,
                // MismatchedInputException, ... extend these
                "JacksonException",
                "JsonProcessingException",
                // Kafka, Avro, Protobuf, Flink
                "SerializationException",
                "AvroRuntimeException",
                "InvalidProtocolBufferException",
                "SerializationRuntimeException",
                // JDK: malformed input and value parsing
                "CharacterCodingException",
                "CharConversionException",
                "UTFDataFormatException",
                "ObjectStreamException",
                "NumberFormatException",
                "DateTimeParseException");
        addNames(
                m,
                "record too large",
                "RecordTooLargeException",
                "RecordBatchTooLargeException",
                "MessageSizeTooLargeException",
                "InvalidRecordException");
        addNames(
                m,
                "authentication or authorization failure",
                // Kafka: Topic/Group/Cluster/TransactionalId..AuthorizationException,
                // Sasl/SslAuthenticationException extend these two
                "AuthenticationException",
                "AuthorizationException",
                "AccessDeniedException",
                "SSLHandshakeException",
                "SSLPeerUnverifiedException",
                "LoginException",
                "GeneralSecurityException");
        addNames(
                m,
                "invalid configuration",
                "ConfigException",
                "InvalidConfigurationException",
                "IllegalConfigurationException",
                "ValidationException",
                "InvalidTopicException",
                "UnsupportedVersionException");
        addNames(
                m,
                "producer fenced by a newer instance",
                "ProducerFencedException",
                "InvalidProducerEpochException");
        return Collections.unmodifiableMap(m);
    }

    private static void addNames(Map<String, String> m, String reason, String... simpleNames) {
        for (String n : simpleNames) {
            m.put(n, reason);
        }
    }

    /** Whether an error is retried, why, and the class in its cause chain that decided it. */
    @PublicEvolving
    public static final class Decision implements Serializable {
        private static final long serialVersionUID = 1L;

        private final boolean retriable;
        private final String reason;
        @Nullable private final String matchedClass;

        Decision(boolean retriable, String reason, @Nullable String matchedClass) {
            this.retriable = retriable;
            this.reason = Objects.requireNonNull(reason);
            this.matchedClass = matchedClass;
        }

        public boolean isRetriable() {
            return retriable;
        }

        /** Why, in a few words (e.g. {@code record too large}). */
        public String reason() {
            return reason;
        }

        /** The class in the cause chain that decided, or null for a null error. */
        @Nullable
        public String matchedClass() {
            return matchedClass;
        }

        /**
         * The form shown in a dead letter's {@code retry_decision}: {@code retriable: I/O error
         * (java.net.SocketException)} or {@code non_retriable: record too large (...)}.
         */
        @Override
        public String toString() {
            return (retriable ? "retriable: " : "non_retriable: ")
                    + reason
                    + (matchedClass == null ? "" : " (" + matchedClass + ")");
        }
    }
}

package dev.velo.flink.batching.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.table.api.ValidationException;
import org.junit.jupiter.api.Test;

/**
 * Random option maps either parse, reproducibly, or fail with a {@link ValidationException} naming
 * one of their keys; nothing else escapes and secrets never appear.
 */
class VeloOptionsFuzzTest {

    private static final String SECRET_VALUE = "s3cr3t-value";

    private static final List<String> KEYS = new ArrayList<>(VeloOptions.knownKeys());

    static {
        for (var option : BatchOptions.ALL) {
            KEYS.add("sink." + option.key());
        }
        KEYS.addAll(
                List.of(
                        "batch.sise",
                        "batch.",
                        "sink.batch.",
                        "batch.max_retries",
                        "batch.token",
                        "batch.password",
                        "connector",
                        "sink.parallelism",
                        "dlq.topic",
                        "velo.connector",
                        "properties.sasl.jaas.config"));
    }

    private static final List<String> VALUES =
            List.of(
                    "",
                    " ",
                    "0",
                    "1",
                    "-1",
                    "5",
                    "100",
                    "1000",
                    "50000",
                    "2147483647",
                    "2147483648",
                    "99999999999999999999",
                    "0.5",
                    "1.5",
                    "2.0",
                    "-0.1",
                    "NaN",
                    "1e999",
                    "true",
                    "false",
                    "yes",
                    "NO",
                    "maybe",
                    "10ms",
                    "5s",
                    "2 min",
                    "1h",
                    "1d",
                    "0ms",
                    "-5s",
                    "1.5s",
                    "5 weeks",
                    "9223372036854775807d",
                    "fixed_size",
                    "TimeWindow",
                    "memorybased",
                    "ADAPTIVE_SIZE",
                    "low_latency",
                    "MegaBatch",
                    "mega",
                    "LogAndContinue",
                    "send_to_dlq",
                    "FailBatch",
                    "RetryWithBackoff",
                    "retry");

    @Test
    void randomMapsParseOrFailWithAValidationExceptionNamingAKey() {
        Random random = new Random(20261125L);
        int parsed = 0;
        int rejected = 0;
        for (int i = 0; i < 2_000; i++) {
            Map<String, String> options = randomOptions(random);
            try {
                VeloOptions o = VeloOptions.parse("fuzz", options, false);
                parsed++;
                checkParsed(o, options);
            } catch (ValidationException e) {
                rejected++;
                String message = e.getMessage();
                // plain checks: AssertJ's failure-collecting matchers are slow in a 2,000-loop
                if (options.keySet().stream().noneMatch(k -> message.contains("'" + k + "'"))) {
                    fail("message '" + message + "' names no key of " + options);
                }
                if (!message.startsWith("Table 'fuzz': ") || message.contains(SECRET_VALUE)) {
                    fail("bad message '" + message + "' for " + options);
                }
            } catch (RuntimeException | Error e) {
                fail("unexpected " + e + " for " + options, e);
            }
        }
        // both outcomes must be exercised, or the generator is useless
        assertThat(parsed).isGreaterThan(100);
        assertThat(rejected).isGreaterThan(100);
    }

    private static void checkParsed(VeloOptions o, Map<String, String> options) {
        BatchConfig b = o.batchConfig();
        assertThat(b.maxBatchSize()).isPositive();
        assertThat(b.batchTimeout().isNegative()).isFalse();
        // the round trip through the canonical options of velo validate is CanonicalOptionsTest's
        for (String warning : o.warnings()) {
            assertThat(warning).doesNotContain(SECRET_VALUE);
        }
    }

    private static Map<String, String> randomOptions(Random random) {
        Map<String, String> options = new LinkedHashMap<>();
        int n = random.nextInt(7);
        for (int j = 0; j < n; j++) {
            String key = KEYS.get(random.nextInt(KEYS.size()));
            String value;
            if (VeloOptions.isSecretKey(key)) {
                value = SECRET_VALUE;
            } else if (random.nextInt(10) == 0) {
                value = randomText(random);
            } else {
                value = VALUES.get(random.nextInt(VALUES.size()));
            }
            options.put(key, value);
        }
        return options;
    }

    private static String randomText(Random random) {
        StringBuilder sb = new StringBuilder();
        int len = random.nextInt(12);
        for (int k = 0; k < len; k++) {
            sb.append(
                    (char)
                            (random.nextBoolean()
                                    ? 32 + random.nextInt(95)
                                    : random.nextInt(0x3000)));
        }
        return sb.toString();
    }
}

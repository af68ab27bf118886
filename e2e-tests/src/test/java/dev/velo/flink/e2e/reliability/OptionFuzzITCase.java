package dev.velo.flink.e2e.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.velo.flink.batching.config.VeloOptions;
import dev.velo.flink.sql.cli.CanonicalOptions;
import dev.velo.flink.sql.factory.VeloConnectorOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.ExplainDetail;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.ValidationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Generated WITH clauses (wrong types, negatives, zero, huge numbers, unknown batch keys, bad
 * durations, wrong case, empty strings and mixes of them): {@link VeloOptions#parse} for 10,000 of
 * them and the whole planner path ({@code 'connector' = 'velo'} over blackhole, {@code
 * explainSql(INSERT ...)}) for a sample of 200. Each is accepted or rejected with a
 * ValidationException naming a key, never another exception, and none takes long. A plain test: no
 * cluster is started. Seeded ({@code -Dvelo.e2e.fuzz.seed}), so a failure can be replayed.
 */
class OptionFuzzITCase {

    private static final int MAPS = Integer.getInteger("velo.e2e.fuzz.maps", 10_000);
    private static final int PLANNER_SAMPLE = 200;
    private static final long SEED = Long.getLong("velo.e2e.fuzz.seed", 20261125L);
    private static final long PARSE_BOUND_MS = 1_000;
    private static final long PLAN_BOUND_MS = 20_000;

    private static final List<String> KEYS = new ArrayList<>(VeloOptions.knownKeys());
    private static final List<String> ODD_KEYS =
            List.of(
                    "batch.sise",
                    "batch.strategyy",
                    "batch.",
                    "batch.max-size",
                    "batch.window_size",
                    "sink.batch.size",
                    "sink.batch.strategy",
                    "sink.batch.timeout",
                    "sink.batch.max_size",
                    "sink.batch.foo",
                    "BATCH.SIZE",
                    "Batch.Strategy",
                    "FAILURE_STRATEGY",
                    "source.Failure_Strategy",
                    "sink.max_retries",
                    "source.retry_backoff",
                    "sink.batch.max-size");
    private static final List<String> VALUES =
            List.of(
                    "",
                    " ",
                    "0",
                    "1",
                    "-1",
                    "7",
                    "100",
                    "-100",
                    "2147483647",
                    "2147483648",
                    "-2147483649",
                    "9223372036854775807",
                    "99999999999999999999999",
                    "1.5",
                    "-0.5",
                    "0.05",
                    "1e3",
                    "NaN",
                    "Infinity",
                    "abc",
                    "true",
                    "FALSE",
                    "yes",
                    "maybe",
                    "0ms",
                    "10ms",
                    "1 s",
                    "5s",
                    "2min",
                    "1h",
                    "-5s",
                    "10 parsecs",
                    "ms",
                    "9999999999999d",
                    "PT5S",
                    "fixed_size",
                    "FIXED_SIZE",
                    "FixedSize",
                    "fixed-size",
                    "time_window",
                    "memory_based",
                    "adaptive_size",
                    "low_latency",
                    "mega_batch",
                    "megabatch",
                    "hyper_batch",
                    "LogAndContinue",
                    "logandcontinue",
                    "send_to_dlq",
                    "SendToDLQ",
                    "FailBatch",
                    "RetryWithBackoff",
                    "retry-with-backoff",
                    "Explode",
                    "\u00e9t\u00e9",
                    "12345678901234567890123456789012345678901234567890");

    private static ExecutorService worker;

    @BeforeAll
    static void startWorker() {
        worker =
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread t = new Thread(r, "option-fuzz");
                            t.setDaemon(true);
                            return t;
                        });
    }

    @AfterAll
    static void stopWorker() {
        worker.shutdownNow();
    }

    private static Map<String, String> generate(Random random) {
        Map<String, String> m = new LinkedHashMap<>();
        int n = 1 + random.nextInt(4);
        for (int i = 0; i < n; i++) {
            String key =
                    random.nextInt(5) == 0
                            ? ODD_KEYS.get(random.nextInt(ODD_KEYS.size()))
                            : KEYS.get(random.nextInt(KEYS.size()));
            m.put(
                    key,
                    random.nextInt(4) == 0
                            ? VALUES.get(random.nextInt(VALUES.size()))
                            : plausible(key, random));
        }
        return m;
    }

    /** A value of the right kind for {@code key}, so that some generated maps are accepted. */
    private static String plausible(String key, Random random) {
        String k = key.toLowerCase(java.util.Locale.ROOT);
        List<String> pool;
        if (k.endsWith("batch.strategy")) {
            pool =
                    List.of(
                            "fixed_size",
                            "time_window",
                            "memory_based",
                            "adaptive_size",
                            "low_latency",
                            "mega_batch");
        } else if (k.endsWith("failure_strategy")) {
            pool = List.of("LogAndContinue", "SendToDLQ", "FailBatch", "RetryWithBackoff");
        } else if (k.endsWith("retry_exhausted")) {
            pool = List.of("LogAndContinue", "SendToDLQ", "FailBatch");
        } else if (k.endsWith("enable")
                || k.endsWith("parallel")
                || k.endsWith("reuse_buffer")
                || k.endsWith("eager_processing")) {
            pool = List.of("true", "false");
        } else if (k.endsWith("timeout")
                || k.endsWith("window")
                || k.endsWith("latency")
                || k.endsWith("wait")
                || k.endsWith("backoff")
                || k.endsWith("backoff_max")) {
            pool = List.of("10ms", "100ms", "1s", "2min");
        } else if (k.endsWith("multiplier")) {
            pool = List.of("1.0", "2", "1.5");
        } else if (k.endsWith("jitter") || k.endsWith("ratio")) {
            pool = List.of("0", "0.1", "0.05");
        } else {
            pool = List.of("1", "10", "100", "1000", "50000");
        }
        return pool.get(random.nextInt(pool.size()));
    }

    /** Does the message name one of the given keys, or a key flink-velo owns, in quotes? */
    private static boolean namesAKey(String message, Set<String> given) {
        if (message == null) {
            return false;
        }
        for (String k : given) {
            if (message.contains(k)) {
                return true;
            }
        }
        for (String k : VeloOptions.knownKeys()) {
            if (message.contains("'" + k + "'")) {
                return true;
            }
        }
        for (var o : VeloConnectorOptions.ALL) {
            if (message.contains("'" + o.key() + "'")) {
                return true;
            }
        }
        return false;
    }

    /** Every throwable in the chain is a ValidationException and one of them names a key. */
    private static void checkRejection(Throwable e, Map<String, String> options) {
        boolean named = false;
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (!(c instanceof ValidationException)) {
                fail("not a ValidationException for %s: %s", options, Figures.causeChain(e), e);
            }
            named |= namesAKey(c.getMessage(), options.keySet());
            if (c.getCause() == c) {
                break;
            }
        }
        if (!named) {
            fail("no key named for %s: %s", options, Figures.causeChain(e));
        }
    }

    @Test
    void parseAcceptsOrRejectsNamingTheKey() throws Exception {
        Random random = new Random(SEED);
        long begin = System.nanoTime();
        int accepted = 0;
        int rejected = 0;
        long slowestNanos = 0;
        Map<String, Integer> firstWords = new TreeMap<>();
        for (int i = 0; i < MAPS; i++) {
            Map<String, String> options = generate(random);
            long t0 = System.nanoTime();
            Future<Object> f =
                    worker.submit(
                            () -> {
                                try {
                                    VeloOptions parsed = VeloOptions.parse("fuzz", options);
                                    CanonicalOptions.of(parsed);
                                    return parsed;
                                } catch (Throwable t) {
                                    return t;
                                }
                            });
            Object r;
            try {
                r = f.get(PARSE_BOUND_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                f.cancel(true);
                throw new AssertionError("VeloOptions.parse hangs on " + options);
            }
            slowestNanos = Math.max(slowestNanos, System.nanoTime() - t0);
            if (r instanceof Throwable) {
                checkRejection((Throwable) r, options);
                rejected++;
                String msg = ((Throwable) r).getMessage();
                String kind = msg.replaceFirst("^Table 'fuzz': ", "").split("[ ']", 2)[0];
                firstWords.merge(kind, 1, Integer::sum);
            } else {
                accepted++;
            }
        }
        Figures.print(
                "option-fuzz",
                String.format(
                        "path=VeloOptions.parse maps=%d accepted=%d rejected=%d"
                                + " other_exceptions=0 slowest_ms=%.1f total_ms=%d seed=%d",
                        MAPS,
                        accepted,
                        rejected,
                        slowestNanos / 1e6,
                        (System.nanoTime() - begin) / 1_000_000,
                        SEED));
        assertThat(accepted + rejected).isEqualTo(MAPS);
        // the generator must exercise both outcomes
        assertThat(accepted).isGreaterThan(MAPS / 50);
        assertThat(rejected).isGreaterThan(MAPS / 2);
    }

    @Test
    void plannerPathAcceptsOrRejectsNamingTheKey() throws Exception {
        Random random = new Random(SEED + 1);
        // The planner keeps per-thread state (Calcite metadata handlers): create and use it on the
        // worker thread that runs every statement.
        TableEnvironment env =
                worker.submit(
                                () -> {
                                    TableEnvironment e =
                                            TableEnvironment.create(
                                                    EnvironmentSettings.inStreamingMode());
                                    e.executeSql(
                                            "CREATE TEMPORARY TABLE src (id BIGINT, name STRING)"
                                                    + " WITH ('connector'='datagen',"
                                                    + " 'number-of-rows'='10')");
                                    return e;
                                })
                        .get(60, TimeUnit.SECONDS);
        // warm the planner up (class loading, code generation) outside the per-map bound
        worker.submit(() -> env.explainSql("SELECT id FROM src", ExplainDetail.JSON_EXECUTION_PLAN))
                .get(120, TimeUnit.SECONDS);
        long begin = System.nanoTime();
        int accepted = 0;
        int rejected = 0;
        long slowestNanos = 0;
        for (int i = 0; i < PLANNER_SAMPLE; i++) {
            Map<String, String> options = generate(random);
            if (random.nextBoolean()) {
                // half the sample has a DLQ, so dead-lettering strategies can be accepted
                options.put("dlq.connector", "blackhole");
            }
            String with =
                    options.entrySet().stream()
                            .map(e -> "'" + e.getKey() + "'='" + e.getValue() + "'")
                            .collect(Collectors.joining(", "));
            String table = "t" + i;
            long t0 = System.nanoTime();
            Future<Object> f =
                    worker.submit(
                            () -> {
                                try {
                                    env.executeSql(
                                            "CREATE TEMPORARY TABLE "
                                                    + table
                                                    + " (id BIGINT, name STRING) WITH"
                                                    + " ('connector'='velo',"
                                                    + " 'velo.connector'='blackhole', "
                                                    + with
                                                    + ")");
                                    // the JSON execution plan translates to transformations,
                                    // so the sink's runtime provider is built too
                                    return env.explainSql(
                                            "INSERT INTO " + table + " SELECT id, name FROM src",
                                            ExplainDetail.JSON_EXECUTION_PLAN);
                                } catch (Throwable t) {
                                    return t;
                                }
                            });
            Object r;
            try {
                r = f.get(PLAN_BOUND_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                f.cancel(true);
                throw new AssertionError("planning hangs on " + options);
            }
            slowestNanos = Math.max(slowestNanos, System.nanoTime() - t0);
            if (r instanceof Throwable) {
                checkRejection((Throwable) r, options);
                rejected++;
            } else {
                assertThat((String) r).contains("Writer");
                accepted++;
            }
        }
        Figures.print(
                "option-fuzz",
                String.format(
                        "path=CREATE_TABLE+explainSql maps=%d accepted=%d rejected=%d"
                                + " other_exceptions=0 slowest_ms=%.1f total_ms=%d",
                        PLANNER_SAMPLE,
                        accepted,
                        rejected,
                        slowestNanos / 1e6,
                        (System.nanoTime() - begin) / 1_000_000));
        assertThat(accepted).isPositive();
        assertThat(rejected).isPositive();
    }
}

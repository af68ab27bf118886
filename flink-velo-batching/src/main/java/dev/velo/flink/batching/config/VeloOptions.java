package dev.velo.flink.batching.config;

import static dev.velo.flink.batching.config.BatchOptions.ENABLE;
import static dev.velo.flink.batching.config.BatchOptions.MAX_SIZE;
import static dev.velo.flink.batching.config.BatchOptions.STRATEGY;
import static dev.velo.flink.batching.config.BatchOptions.TIMEOUT;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.table.api.ValidationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parsed and validated flink-velo options of one table: the single entry point used by the
 * table factory, the dialect translator and {@code velo validate}.
 *
 * <h2>Keys</h2>
 *
 * <ul>
 *   <li>{@code batch.<key>} ({@link BatchOptions}); Velostream's spelling {@code sink.batch.<key>}
 *       is an alias. Giving both with different values is an error. Unknown keys under either
 *       prefix are errors with a "did you mean" suggestion. Hyphenated {@code sink.batch.*} keys
 *       (Flink's spelling, e.g. {@code sink.batch.max-size} of the async sinks) are not ours and
 *       are left to the delegate connector.
 *   <li>The failure keys of {@link FailureOptions}: unprefixed for both sides, overridden per side
 *       by {@code source.<key>} (source decoding) and {@code sink.<key>} (sink writing).
 *   <li>Every other key (including {@code dlq.*} and {@code velo.*}, which other components read)
 *       is ignored here.
 * </ul>
 *
 * <h2>Accepted values</h2>
 *
 * <ul>
 *   <li>Sizes ({@code batch.size}, {@code batch.max_size}, {@code batch.min_size}, {@code
 *       batch.adaptive_max_size}, {@code batch.low_latency_max_size}, {@code
 *       batch.mega_batch_size}, {@code batch.memory_size}): whole numbers &gt; 0. For
 *       adaptive_size, {@code batch.min_size <= batch.adaptive_max_size}.
 *   <li>{@code batch.max_size}: when not set, the cap is {@code max(1000, the strategy's size)} so
 *       that a large {@code mega_batch_size} is not silently cut; when set, a larger strategy size
 *       is an error naming both keys. The strategy's size is {@code batch.size}, {@code
 *       batch.adaptive_max_size}, {@code batch.low_latency_max_size} or {@code
 *       batch.mega_batch_size}; time_window and memory_based have none.
 *   <li>Durations ({@link Durations}): {@code batch.timeout} and {@code batch.low_latency_wait} may
 *       be 0 (flush as soon as possible); {@code batch.window}, {@code batch.target_latency} and
 *       {@code failure_ratio_window} must be &gt; 0 because a zero window or target has no meaning.
 *       {@code retry_backoff} may be 0 (retry at once).
 *   <li>{@code batch.timeout} applies to fixed_size, memory_based, adaptive_size and mega_batch;
 *       for time_window the window is the timeout, for low_latency the wait is.
 *   <li>{@code max_retries >= 0}; {@code retry_backoff_multiplier >= 1.0}; {@code retry_jitter} and
 *       {@code max_failure_ratio} in [0, 1]; {@code retry_exhausted} is any failure strategy but
 *       RetryWithBackoff. {@code retry_backoff_max}: when set, it must be at least {@code
 *       retry_backoff}; when not set it is {@code max(1 min, retry_backoff)}.
 *   <li>Booleans: true/false/yes/no/1/0, any case. Strategy names: see {@link
 *       BatchStrategyType#parse} and {@link FailureStrategy#parse}.
 *   <li>Values of keys that the chosen strategy does not use are still checked; the key itself only
 *       causes a warning ({@link #warnings()}, also logged). Cross-option checks apply only to what
 *       is used.
 * </ul>
 *
 * <p>Errors read {@code Table '<t>': invalid value '<v>' for option '<key>': <what is accepted>.};
 * values of keys that look secret (password, secret, jaas, token, credential) are printed as {@code
 * ******}.
 */
@PublicEvolving
public final class VeloOptions {

    private static final Logger LOG = LoggerFactory.getLogger(VeloOptions.class);

    /** Options of the dead-letter sink; read by the DLQ component, owned by flink-velo. */
    public static final String DLQ_PREFIX = "dlq.";

    /** Options of the velo wrapper itself (e.g. the delegate connector); owned by flink-velo. */
    public static final String VELO_PREFIX = "velo.";

    private final String tableName;
    private final BatchConfig batchConfig;
    private final FailureConfig commonFailure;
    private final FailureConfig sourceFailure;
    private final FailureConfig sinkFailure;
    private final List<String> warnings;

    VeloOptions(
            String tableName,
            BatchConfig batchConfig,
            FailureConfig commonFailure,
            FailureConfig sourceFailure,
            FailureConfig sinkFailure,
            List<String> warnings) {
        this.tableName = tableName;
        this.batchConfig = batchConfig;
        this.commonFailure = commonFailure;
        this.sourceFailure = sourceFailure;
        this.sinkFailure = sinkFailure;
        this.warnings = Collections.unmodifiableList(warnings);
    }

    /**
     * Parses and validates the flink-velo options among {@code options}; keys that flink-velo does
     * not own are ignored. Warnings are logged at WARN and returned by {@link #warnings()}.
     *
     * @param tableName the table named in messages; null when there is none (messages then start at
     *     "Invalid value ...")
     * @param options a table's WITH options (null is treated as empty)
     * @throws ValidationException for the first invalid value, unknown {@code batch.*} key,
     *     conflicting alias or violated cross-option rule
     */
    public static VeloOptions parse(String tableName, Map<String, String> options) {
        return parse(tableName, options, true);
    }

    /** {@link #parse(String, Map)}; {@code logWarnings=false} keeps bulk tests quiet. */
    static VeloOptions parse(String tableName, Map<String, String> options, boolean logWarnings) {
        Map<String, String> opts = new HashMap<>();
        if (options != null) {
            options.forEach(
                    (k, v) -> {
                        if (k != null) {
                            opts.put(k, v);
                        }
                    });
        }
        VeloOptionsUtil.Parsing parsing = new VeloOptionsUtil.Parsing(tableName, opts);
        VeloOptions result = parsing.run();
        if (logWarnings) {
            for (String warning : result.warnings) {
                LOG.warn(warning);
            }
        }
        return result;
    }

    /**
     * True for every key flink-velo owns: {@code batch.*}, {@code sink.batch.*} (except hyphenated
     * Flink-style keys such as flink-connector-base's {@code sink.batch.max-size}), {@code dlq.*},
     * {@code velo.*} and the failure keys in their plain, {@code source.} and {@code sink.} forms.
     * Other {@code sink.*}/{@code source.*} keys (e.g. {@code sink.parallelism}) belong to the
     * delegate connector.
     */
    public static boolean isVeloKey(String key) {
        if (key == null) {
            return false;
        }
        return isParsedKey(key) || key.startsWith(DLQ_PREFIX) || key.startsWith(VELO_PREFIX);
    }

    /**
     * True for the keys {@link #parse} reads and validates in the dialect's forms: {@code batch.*},
     * the {@code sink.batch.*} aliases and the failure keys in their plain, {@code source.} and
     * {@code sink.} forms.
     */
    public static boolean isParsedKey(String key) {
        if (key == null) {
            return false;
        }
        return key.startsWith(BatchOptions.PREFIX)
                || VeloOptionsUtil.isSinkBatchAlias(key)
                || VeloOptionsUtil.FAILURE_KEYS.contains(key);
    }

    /**
     * The canonical keys parsed here, in documentation order: every {@code batch.*} key, then the
     * failure keys unprefixed, with {@code source.} and with {@code sink.}. The {@code
     * sink.batch.*} aliases and the open-ended {@code dlq.*}/{@code velo.*} groups are not listed.
     */
    public static Set<String> knownKeys() {
        return VeloOptionsUtil.KNOWN_KEYS;
    }

    /**
     * The batch options a strategy reads, in the order {@code velo validate} lists them: {@code
     * batch.enable}, {@code batch.strategy}, the strategy's own keys, {@code batch.max_size}, and
     * {@code batch.timeout} where it applies. For docs and tooling.
     */
    public static List<ConfigOption<?>> optionsOf(BatchStrategyType type) {
        List<ConfigOption<?>> used = new ArrayList<>();
        used.add(ENABLE);
        used.add(STRATEGY);
        used.addAll(VeloOptionsUtil.STRATEGY_OPTIONS.get(type));
        used.add(MAX_SIZE);
        if (VeloOptionsUtil.TIMEOUT_STRATEGIES.contains(type)) {
            used.add(TIMEOUT);
        }
        return Collections.unmodifiableList(used);
    }

    /** The keys only {@code type} reads, without the shared ones ({@code batch.enable}, ...). */
    public static List<ConfigOption<?>> strategyOptions(BatchStrategyType type) {
        return VeloOptionsUtil.STRATEGY_OPTIONS.get(type);
    }

    /**
     * Whether an incomplete batch of {@code type} is flushed {@code batch.timeout} after its start.
     */
    public static boolean usesBatchTimeout(BatchStrategyType type) {
        return VeloOptionsUtil.TIMEOUT_STRATEGIES.contains(type);
    }

    /** True when values of {@code key} must be masked in messages and logs. */
    public static boolean isSecretKey(String key) {
        return ValidationMessages.isSecretKey(key);
    }

    /** {@code value} as it may be shown for {@code key}: {@code ******} for secret keys. */
    public static String printableValue(String key, String value) {
        return ValidationMessages.printable(key, value);
    }

    /** The table this was parsed for; null when parsed without one. */
    public String tableName() {
        return tableName;
    }

    public BatchConfig batchConfig() {
        return batchConfig;
    }

    /** Failure handling of source decoding: {@code source.<key>} if set, else {@code <key>}. */
    public FailureConfig sourceFailure() {
        return sourceFailure;
    }

    /** Failure handling of sink writing: {@code sink.<key>} if set, else {@code <key>}. */
    public FailureConfig sinkFailure() {
        return sinkFailure;
    }

    /** Failure handling from the unprefixed keys only. */
    public FailureConfig commonFailure() {
        return commonFailure;
    }

    /** Human-readable warnings (keys the chosen strategies do not use), in key order. */
    public List<String> warnings() {
        return warnings;
    }

    @Override
    public String toString() {
        return "VeloOptions{table="
                + tableName
                + ", batch="
                + batchConfig
                + ", source="
                + sourceFailure
                + ", sink="
                + sinkFailure
                + '}';
    }
}

package dev.velo.flink.batching.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;

/**
 * The tables {@link OptionParsers} and {@link OptionKeyTables} hold stay in step with the option
 * declarations: every declared key has a parser, every strategy a list of the options it reads, and
 * the failure options a strategy-dependent warning speaks about are declared ones.
 */
class OptionTablesTest {

    private static List<String> keys(List<ConfigOption<?>> options) {
        return options.stream().map(ConfigOption::key).collect(Collectors.toList());
    }

    @Test
    void everyDeclaredKeyHasExactlyOneParser() {
        assertThat(OptionParsers.BATCH_PARSERS.keySet())
                .containsExactlyElementsOf(keys(BatchOptions.ALL));
        // failure values are parsed (and the first bad one reported) in the parsers' order
        assertThat(OptionParsers.FAILURE_PARSERS.keySet())
                .containsExactlyInAnyOrderElementsOf(keys(FailureOptions.ALL));
    }

    @Test
    void everyStrategyListsOnlyDeclaredBatchOptions() {
        assertThat(OptionKeyTables.STRATEGY_OPTIONS.keySet())
                .containsExactlyInAnyOrder(BatchStrategyType.values());
        for (List<ConfigOption<?>> used : OptionKeyTables.STRATEGY_OPTIONS.values()) {
            assertThat(BatchOptions.ALL).containsAll(used);
        }
        assertThat(OptionKeyTables.usersOf(BatchOptions.TIMEOUT))
                .isEqualTo("fixed_size, memory_based, adaptive_size, mega_batch");
    }

    @Test
    void conditionalFailureOptionsAreDeclaredAndDisjoint() {
        assertThat(FailureOptions.ALL).containsAll(OptionKeyTables.RETRY_OPTIONS);
        assertThat(FailureOptions.ALL).containsAll(OptionKeyTables.GUARD_OPTIONS);
        Set<ConfigOption<?>> both = new HashSet<>(OptionKeyTables.RETRY_OPTIONS);
        both.retainAll(OptionKeyTables.GUARD_OPTIONS);
        assertThat(both).isEmpty();
        assertThat(OptionKeyTables.isConditional(FailureOptions.FAILURE_STRATEGY)).isFalse();
        assertThat(OptionKeyTables.isConditional(FailureOptions.MAX_FAILURE_RATIO)).isFalse();
    }

    @Test
    void knownKeysAreTheBatchKeysThenEachFailureKeyOnEverySide() {
        assertThat(OptionKeyTables.KNOWN_KEYS)
                .hasSize(BatchOptions.ALL.size() + 3 * FailureOptions.ALL.size())
                .containsAll(keys(BatchOptions.ALL))
                .containsAll(OptionKeyTables.FAILURE_KEYS);
        for (ConfigOption<?> o : FailureOptions.ALL) {
            assertThat(OptionKeyTables.FAILURE_KEYS)
                    .contains(
                            o.key(),
                            FailureOptions.SOURCE_PREFIX + o.key(),
                            FailureOptions.SINK_PREFIX + o.key());
        }
    }

    @Test
    void sinkBatchAliasIsSnakeCaseOnly() {
        String alias = OptionKeyTables.SINK_BATCH_PREFIX + "max_size";
        assertThat(OptionKeyTables.isSinkBatchAlias(alias)).isTrue();
        assertThat(OptionKeyTables.canonicalBatchKey(alias)).isEqualTo(BatchOptions.MAX_SIZE.key());
        // flink-connector-base's async sinks own the hyphenated sink.batch.* keys
        assertThat(OptionKeyTables.isSinkBatchAlias(OptionKeyTables.SINK_BATCH_PREFIX + "max-size"))
                .isFalse();
        assertThat(OptionKeyTables.canonicalBatchKey("velo.connector")).isNull();
    }
}

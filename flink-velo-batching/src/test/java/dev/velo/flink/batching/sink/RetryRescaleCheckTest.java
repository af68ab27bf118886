package dev.velo.flink.batching.sink;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When a restore of records waiting for a retry is refused, and what its error says. */
class RetryRescaleCheckTest {

    @Test
    void onlyAKeyedSinkWithWaitingRecordsOfAKnownOtherParallelismIsRefused() {
        assertThat(RetryRescaleCheck.refuses(true, 5, 2, 3)).isTrue();
        // one subtask restores every record before any new one: the order per key holds
        assertThat(RetryRescaleCheck.refuses(true, 5, 2, 1)).isFalse();
        assertThat(RetryRescaleCheck.refuses(true, 5, 3, 2)).isTrue();
        // append-only: rescaling stays allowed
        assertThat(RetryRescaleCheck.refuses(false, 5, 2, 3)).isFalse();
        // the same parallelism, nothing waiting, or a state that does not know its origin
        assertThat(RetryRescaleCheck.refuses(true, 5, 2, 2)).isFalse();
        assertThat(RetryRescaleCheck.refuses(true, 0, 2, 3)).isFalse();
        assertThat(RetryRescaleCheck.refuses(true, 5, null, 3)).isFalse();
    }

    @Test
    void theErrorNamesTableCountParallelismsWhyAndWhatToDo() {
        String all = RetryRescaleCheck.refused("orders", 17, 2, 3, null).getMessage();
        assertThat(all)
                .contains("Table 'orders'")
                .contains("17 records were waiting for a retry")
                .contains("taken at parallelism 2")
                .contains("restored at parallelism 3")
                .contains("primary key")
                .contains("order per primary key cannot be kept")
                .contains("flink stop --drain")
                .contains("Restore at the old parallelism 2")
                .contains("at parallelism 3.");
        String share = RetryRescaleCheck.refused("orders", 1, 2, 3, 0).getMessage();
        assertThat(share).contains("1 record (the share of subtask 0 of 3) was waiting");
    }
}

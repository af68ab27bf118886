/** Internal: one batcher per batch strategy, created by {@code Batchers}. Not a user API. */
package dev.velo.flink.batching.internal.batcher;

/**
 * Public: how the memory-based strategy measures a record ({@link
 * dev.velo.flink.batching.batcher.RecordSizeEstimator}, {@link
 * dev.velo.flink.batching.batcher.RecordSizeEstimators}). The batchers themselves are internal, in
 * {@code dev.velo.flink.batching.internal.batcher}.
 */
package dev.velo.flink.batching.batcher;

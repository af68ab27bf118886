/**
 * Public: the functions a batching stage runs, {@link
 * dev.velo.flink.batching.operator.BatchFunction} and {@link
 * dev.velo.flink.batching.operator.RecordFunction}. The operator is internal, in {@code
 * dev.velo.flink.batching.internal.operator}.
 */
package dev.velo.flink.batching.operator;

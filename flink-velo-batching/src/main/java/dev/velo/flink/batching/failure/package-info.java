/**
 * Public: the exceptions a user function throws or a job sees ({@code VeloRetriableException},
 * {@code VeloNonRetriableException}, {@code VeloBatchFailedException}, {@code
 * VeloFailureRatioExceededException}) and {@code RetriableErrors}, which says which failures are
 * retried. The failure strategies are internal, in {@code
 * dev.velo.flink.batching.internal.failure}.
 */
package dev.velo.flink.batching.failure;

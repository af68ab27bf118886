/**
 * Public: the dead-letter schema ({@link dev.velo.flink.batching.dlq.DeadLetter}) and the
 * interfaces a job implements to encode and write dead letters.
 */
package dev.velo.flink.batching.dlq;

/**
 * Public: the DataStream entry points, {@link dev.velo.flink.batching.api.VeloBatching} and {@link
 * dev.velo.flink.batching.api.VeloStream}.
 */
package dev.velo.flink.batching.api;

/** Internal: the batching stream operator behind {@code VeloBatching}. Not a user API. */
package dev.velo.flink.batching.internal.operator;

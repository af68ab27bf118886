/**
 * Internal: the velo metric group and its histogram. Not a user API; the metric names are
 * documented in docs/metrics.md.
 */
package dev.velo.flink.batching.internal.metrics;

/**
 * Internal: the runtime stages the table factory adds (source-side batching, batching in front of
 * DataStream-topology sinks, the legacy sink-function wrapper).
 */
package dev.velo.flink.sql.internal;

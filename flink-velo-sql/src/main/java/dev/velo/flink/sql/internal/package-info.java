/**
 * Internal: the runtime stages the table factory adds (source-side batching, batching in front of
 * DataStream-topology sinks, the sink operator around a legacy sink function).
 */
package dev.velo.flink.sql.internal;

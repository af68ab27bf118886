/**
 * Public: {@link dev.velo.flink.batching.sink.VeloSink} and {@link
 * dev.velo.flink.batching.sink.VeloSinkSettings}, which put batching and failure handling in front
 * of any Sink V2. The writers, committer and serializer in this package are {@code @Internal}: they
 * share package-private state with {@code VeloSink}.
 */
package dev.velo.flink.batching.sink;

package dev.velo.flink.batching.batcher;

import java.io.Serializable;
import org.apache.flink.annotation.PublicEvolving;

/** Estimates the in-memory size of a record in bytes, for the memory_based strategy. */
@PublicEvolving
@FunctionalInterface
public interface RecordSizeEstimator<T> extends Serializable {
    long estimate(T record);
}

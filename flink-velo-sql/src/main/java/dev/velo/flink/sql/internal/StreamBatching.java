package dev.velo.flink.sql.internal;

import dev.velo.flink.batching.batcher.RecordSizeEstimators;
import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.internal.operator.BatchingOperator;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.table.connector.ProviderContext;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;

/** Puts a pass-through batching stage into a table's DataStream (source side, DataStream sinks). */
@Internal
public final class StreamBatching {

    private StreamBatching() {}

    /**
     * The transformation name of the stage in the uid the planner hands out, {@code
     * <id>_velo-batch}.
     */
    public static final String UID_NAME = "velo-batch";

    /**
     * The stage after {@code in}, named {@code velo-batch[<table>]}, with the uid the planner
     * generates for it when it generates uids (a compiled plan, or {@code table.exec.uid.generation
     * = ALWAYS}); otherwise Flink derives one from the topology, as for the planner's own
     * operators. The stage holds no state: it flushes before every barrier.
     */
    public static DataStream<RowData> apply(
            DataStream<RowData> in,
            BatchConfig config,
            String tableName,
            String side,
            TypeInformation<RowData> type,
            ProviderContext providerContext) {
        BatchingOperator<RowData, RowData> operator =
                BatchingOperator.<RowData, RowData>builder(config, FailureConfig.defaults())
                        .tableName(tableName)
                        .estimator(
                                type instanceof InternalTypeInfo
                                        ? RecordSizeEstimators.forRowData(
                                                ((InternalTypeInfo<RowData>) type).toLogicalType())
                                        : RecordSizeEstimators.forRowData())
                        .side(side)
                        .build();
        SingleOutputStreamOperator<RowData> batched =
                in.transform("velo-batch[" + tableName + "]", type, operator)
                        .setParallelism(in.getParallelism());
        providerContext.generateUid(UID_NAME).ifPresent(batched::uid);
        return batched;
    }
}

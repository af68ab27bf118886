package dev.velo.flink.sql.internal;

import dev.velo.flink.batching.batcher.RecordSizeEstimators;
import dev.velo.flink.batching.config.BatchConfig;
import dev.velo.flink.batching.config.FailureConfig;
import dev.velo.flink.batching.operator.BatchingOperator;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;

/** Puts a pass-through batching stage into a table's DataStream (source side, DataStream sinks). */
@Internal
public final class StreamBatching {

    private StreamBatching() {}

    public static DataStream<RowData> apply(
            DataStream<RowData> in,
            BatchConfig config,
            String tableName,
            String side,
            TypeInformation<RowData> type) {
        BatchingOperator<RowData, RowData> operator =
                new BatchingOperator<RowData, RowData>(
                                config,
                                FailureConfig.defaults(),
                                tableName,
                                null,
                                null,
                                null,
                                type instanceof InternalTypeInfo
                                        ? RecordSizeEstimators.forRowData(
                                                ((InternalTypeInfo<RowData>) type).toLogicalType())
                                        : RecordSizeEstimators.forRowData())
                        .withSide(side);
        return in.transform("velo-batch[" + tableName + "]", type, operator)
                .setParallelism(in.getParallelism());
    }
}

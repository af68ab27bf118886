package dev.velo.flink.batching.batcher;

import java.io.Serializable;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.MapData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.data.binary.BinaryFormat;
import org.apache.flink.table.data.binary.LazyBinaryFormat;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.DistinctType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.MapType;
import org.apache.flink.table.types.logical.MultisetType;
import org.apache.flink.table.types.logical.RowType;

/**
 * Size estimates of Flink's internal data structures, for memory_based batching.
 *
 * <p>Binary forms ({@code BinaryRowData}, {@code NestedRowData}, {@code BinaryArrayData}, {@code
 * BinaryMapData}, a materialized {@code BinaryStringData}) report their exact size in O(1). Generic
 * forms are walked: a row counts a header and a slot per field plus what its fields hold, strings
 * and byte arrays by their length, so a 1 MB string counts about 1 MB. Without type information a
 * row that is neither binary nor generic (a joined or projected view, a columnar row) can only be
 * counted by its arity; {@link Typed} walks any row with the help of its type.
 */
@Internal
final class RecordSizeEstimatorRowData {

    /** Object header plus a reference or primitive slot: the rough cost of any boxed value. */
    static final long OBJECT = 16;

    static final long SLOT = 8;

    /** Depth beyond which nested generic structures are no longer walked (cycles, odd data). */
    private static final int MAX_DEPTH = 16;

    private RecordSizeEstimatorRowData() {}

    /** A row without type information. */
    static long row(RowData row) {
        return row(row, 0);
    }

    private static long row(RowData row, int depth) {
        if (row == null) {
            return 0;
        }
        if (row instanceof BinaryFormat) {
            return ((BinaryFormat) row).getSizeInBytes();
        }
        int arity = row.getArity();
        long size = OBJECT + SLOT * arity;
        if (row instanceof GenericRowData && depth < MAX_DEPTH) {
            GenericRowData g = (GenericRowData) row;
            for (int i = 0; i < arity; i++) {
                size += value(g.getField(i), depth + 1);
            }
        }
        return size;
    }

    /**
     * The bytes held by an internal value beyond its slot in the enclosing row or array: 0 for
     * null, the payload plus a header for strings, binaries, decimals, timestamps and nested
     * structures, a header for boxed primitives.
     */
    static long value(Object v) {
        return value(v, 0);
    }

    private static long value(Object v, int depth) {
        if (v == null) {
            return 0;
        }
        if (v instanceof LazyBinaryFormat) {
            // BinaryStringData, BinaryRawValueData: exact once materialized; a string made from a
            // Java String (what decoders produce) holds that String, counted by its length
            LazyBinaryFormat<?> lazy = (LazyBinaryFormat<?>) v;
            if (lazy.getBinarySection() != null) {
                return OBJECT + lazy.getSizeInBytes();
            }
            Object java = lazy.getJavaObject();
            if (java instanceof String) {
                return 2 * OBJECT + ((String) java).length();
            }
            return OBJECT + RecordSizeEstimators.DEFAULT_RECORD_BYTES;
        }
        if (v instanceof BinaryFormat) {
            return OBJECT + ((BinaryFormat) v).getSizeInBytes();
        }
        if (v instanceof byte[]) {
            return OBJECT + ((byte[]) v).length;
        }
        if (v instanceof DecimalData) {
            DecimalData d = (DecimalData) v;
            return d.isCompact() ? 2 * OBJECT : 3 * OBJECT + d.precision() / 2 + 1;
        }
        if (v instanceof TimestampData) {
            return OBJECT + SLOT + 4;
        }
        if (v instanceof RowData) {
            return row((RowData) v, depth);
        }
        if (v instanceof GenericArrayData) {
            return array((GenericArrayData) v, depth);
        }
        if (v instanceof MapData) {
            MapData m = (MapData) v;
            if (depth >= MAX_DEPTH) {
                return OBJECT + 2 * SLOT * m.size();
            }
            return OBJECT + value(m.keyArray(), depth + 1) + value(m.valueArray(), depth + 1);
        }
        if (v instanceof ArrayData) {
            return OBJECT + SLOT * ((ArrayData) v).size();
        }
        if (v instanceof String) {
            return 2 * OBJECT + ((String) v).length();
        }
        // boxed primitives and anything else
        return OBJECT;
    }

    private static long array(GenericArrayData a, int depth) {
        long size = OBJECT + SLOT * a.size();
        if (a.isPrimitiveArray() || depth >= MAX_DEPTH) {
            return size;
        }
        // not a copy for an object array
        Object[] elements = a.toObjectArray();
        for (Object e : elements) {
            size += value(e, depth + 1);
        }
        return size;
    }

    /** Sizes the values of one logical type, reading structures that are not generic by type. */
    interface Sizer extends Serializable {
        long size(Object internalValue);
    }

    static Sizer sizer(LogicalType type) {
        switch (type.getTypeRoot()) {
            case ROW:
            case STRUCTURED_TYPE:
                if (type instanceof RowType) {
                    return new Typed((RowType) type)::valueSize;
                }
                return RecordSizeEstimatorRowData::value;
            case ARRAY:
                return new ArraySizer(((ArrayType) type).getElementType());
            case MAP:
                MapType map = (MapType) type;
                return new MapSizer(map.getKeyType(), map.getValueType());
            case MULTISET:
                return new MapSizer(
                        ((MultisetType) type).getElementType(),
                        new org.apache.flink.table.types.logical.IntType(false));
            case DISTINCT_TYPE:
                return sizer(((DistinctType) type).getSourceType());
            default:
                return RecordSizeEstimatorRowData::value;
        }
    }

    /** Rows of one {@link RowType}: every implementation of RowData is walked field by field. */
    static final class Typed implements Serializable {
        private static final long serialVersionUID = 1L;

        private final RowData.FieldGetter[] getters;
        private final Sizer[] sizers;

        Typed(RowType type) {
            List<LogicalType> fields = type.getChildren();
            getters = new RowData.FieldGetter[fields.size()];
            sizers = new Sizer[fields.size()];
            for (int i = 0; i < getters.length; i++) {
                getters[i] = RowData.createFieldGetter(fields.get(i), i);
                sizers[i] = sizer(fields.get(i));
            }
        }

        long rowSize(RowData row) {
            if (row == null) {
                return 0;
            }
            if (row instanceof BinaryFormat) {
                return ((BinaryFormat) row).getSizeInBytes();
            }
            int n = Math.min(row.getArity(), getters.length);
            long size = OBJECT + SLOT * row.getArity();
            if (row instanceof GenericRowData) {
                GenericRowData g = (GenericRowData) row;
                for (int i = 0; i < n; i++) {
                    Object v = g.getField(i);
                    size += v == null ? 0 : sizers[i].size(v);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    if (!row.isNullAt(i)) {
                        size += sizers[i].size(getters[i].getFieldOrNull(row));
                    }
                }
            }
            return size;
        }

        long valueSize(Object v) {
            return v instanceof RowData ? rowSize((RowData) v) : value(v);
        }
    }

    private static final class ArraySizer implements Sizer {
        private static final long serialVersionUID = 1L;
        private final ArrayData.ElementGetter getter;
        private final Sizer element;

        ArraySizer(LogicalType elementType) {
            this.getter = ArrayData.createElementGetter(elementType);
            this.element = sizer(elementType);
        }

        @Override
        public long size(Object v) {
            if (!(v instanceof ArrayData) || v instanceof BinaryFormat) {
                return value(v);
            }
            ArrayData a = (ArrayData) v;
            int n = a.size();
            long size = OBJECT + SLOT * n;
            if (a instanceof GenericArrayData && ((GenericArrayData) a).isPrimitiveArray()) {
                return size;
            }
            for (int i = 0; i < n; i++) {
                if (!a.isNullAt(i)) {
                    size += element.size(getter.getElementOrNull(a, i));
                }
            }
            return size;
        }
    }

    private static final class MapSizer implements Sizer {
        private static final long serialVersionUID = 1L;
        private final ArraySizer keys;
        private final ArraySizer values;

        MapSizer(LogicalType keyType, LogicalType valueType) {
            this.keys = new ArraySizer(keyType);
            this.values = new ArraySizer(valueType);
        }

        @Override
        public long size(Object v) {
            if (!(v instanceof MapData) || v instanceof BinaryFormat) {
                return value(v);
            }
            MapData m = (MapData) v;
            return OBJECT + keys.size(m.keyArray()) + values.size(m.valueArray());
        }
    }
}

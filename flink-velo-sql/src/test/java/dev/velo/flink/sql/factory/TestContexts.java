package dev.velo.flink.sql.factory;

import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.catalog.CatalogTable;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ObjectIdentifier;
import org.apache.flink.table.catalog.ResolvedCatalogTable;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.factories.DynamicTableFactory;
import org.apache.flink.table.factories.FactoryUtil;

/** Factory contexts for unit tests that parse a velo table's settings without a planner. */
final class TestContexts {

    private TestContexts() {}

    /** A table {@code default_catalog.default_database.<name>(id BIGINT)} with these options. */
    static DynamicTableFactory.Context of(String name, Map<String, String> options) {
        ResolvedSchema schema = ResolvedSchema.of(Column.physical("id", DataTypes.BIGINT()));
        ResolvedCatalogTable table =
                new ResolvedCatalogTable(
                        CatalogTable.newBuilder()
                                .schema(Schema.newBuilder().fromResolvedSchema(schema).build())
                                .options(options)
                                .build(),
                        schema);
        return new FactoryUtil.DefaultDynamicTableContext(
                ObjectIdentifier.of("default_catalog", "default_database", name),
                table,
                Map.of(),
                new Configuration(),
                TestContexts.class.getClassLoader(),
                false);
    }

    /** The velo settings of such a table. */
    static VeloTableSettings settings(String name, Map<String, String> options) {
        return VeloTableSettings.parse(of(name, options));
    }
}

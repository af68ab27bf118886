/**
 * The Velostream dialect. Public: {@link dev.velo.flink.sql.dialect.VeloSql}, {@link
 * dev.velo.flink.sql.dialect.VeloTranslation}, {@link dev.velo.flink.sql.dialect.VeloSqlException}
 * and {@link dev.velo.flink.sql.dialect.TopicSampler}; the translator's parts are
 * {@code @Internal}.
 */
package dev.velo.flink.sql.dialect;

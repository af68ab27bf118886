/**
 * The {@code velo} command line. Public: {@link dev.velo.flink.sql.cli.VeloCli}, the entry point of
 * {@code bin/velo}; the rest is {@code @Internal}.
 */
package dev.velo.flink.sql.cli;

/**
 * The {@code 'velo'} table factory, its source and sink: found by Flink through its service file,
 * not imported by users. Classes marked {@code @PublicEvolving} here are public; the rest is
 * {@code @Internal}.
 */
package dev.velo.flink.sql.factory;

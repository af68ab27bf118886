/**
 * Internal: the {@code velo-guarded} format, which applies the source failure strategy while
 * decoding.
 */
package dev.velo.flink.sql.format;

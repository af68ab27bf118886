/**
 * Public: the option declarations ({@code VeloOptions}, {@code BatchOptions}, {@code
 * FailureOptions}) and the configurations built from them, {@code BatchConfig} and {@code
 * FailureConfig}.
 */
package dev.velo.flink.batching.config;

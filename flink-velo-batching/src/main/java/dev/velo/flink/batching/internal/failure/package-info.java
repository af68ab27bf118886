/**
 * Internal: the failure strategies, retries with backoff, blame search and the failure-ratio guard
 * behind {@code FailureHandler}. Not a user API.
 */
package dev.velo.flink.batching.internal.failure;

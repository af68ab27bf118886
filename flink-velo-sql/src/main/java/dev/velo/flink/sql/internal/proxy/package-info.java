/**
 * Internal: what velo's dynamic proxies share (the interfaces to implement, the methods of Object,
 * forwarding). Depends on no other velo package.
 */
package dev.velo.flink.sql.internal.proxy;

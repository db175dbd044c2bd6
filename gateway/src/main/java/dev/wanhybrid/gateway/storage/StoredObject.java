package dev.wanhybrid.gateway.storage;

import java.time.Instant;

/** A stored result: its key, size in bytes, SHA-256 (hex) and when it was written. */
public record StoredObject(String key, long size, String sha256, Instant createdAt) {}

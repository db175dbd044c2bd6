package dev.wanhybrid.gateway.storage;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Where finished videos live: local disk on one machine, an S3-compatible store when replicas share results.
 * Writes stream, are size-limited and checksummed; reads stream and support byte ranges.
 */
public interface ResultStore {

    /**
     * Streams {@code content} into the object {@code key}, replacing nothing that exists (idempotent for the same
     * bytes).
     *
     * @throws ResultTooLargeException when more than {@code maxBytes} arrive (nothing is kept)
     */
    StoredObject put(String key, InputStream content, long maxBytes) throws IOException;

    Optional<StoredObject> stat(String key) throws IOException;

    /** Opens {@code length} bytes from {@code offset} ({@code length < 0} means to the end). */
    InputStream open(String key, long offset, long length) throws IOException;

    void delete(String key) throws IOException;

    /**
     * A URL from which anyone holding it can read the object {@code key} for {@code validFor}, served by the store
     * itself (an S3 presigned GET), or empty when the store cannot hand out such links (local disk).
     */
    default Optional<URI> presignedGet(String key, Duration validFor) {
        return Optional.empty();
    }
}

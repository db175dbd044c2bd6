package dev.wanhybrid.gateway.storage.s3;

import dev.wanhybrid.gateway.storage.ResultStore;
import dev.wanhybrid.gateway.storage.ResultTooLargeException;
import dev.wanhybrid.gateway.storage.StoredObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Results in an S3-compatible bucket (AWS S3, Alibaba OSS, MinIO), so that every replica and GPU worker reads and
 * writes the same objects.
 *
 * <p>Writes stream in parts of {@code partSize} bytes: at most one part is held in memory, whatever the size of
 * the video. A result that fits in one part is one PUT; a larger one is a multipart upload, aborted if the
 * source fails or passes the size limit, so nothing partial stays behind. The SHA-256, known only once the
 * last byte has been read, is kept in a small sidecar object {@code <key>.sha256} (as the local-disk store
 * keeps {@code <file>.sha256}) written just before the object becomes visible: S3 user metadata would have to be
 * fixed when a multipart upload starts. Reads are ranged GETs streamed straight from the HTTP response.
 */
public class S3ResultStore implements ResultStore {

    static final String CHECKSUM_SUFFIX = ".sha256";
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*");
    /** S3's smallest allowed part (all but the last part of a multipart upload). */
    static final int MIN_PART_SIZE = 5 * 1024 * 1024;

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final int partSize;
    private final S3Presigner presigner;

    /**
     * @param s3 the client, configured for the store's endpoint, region and credentials
     * @param bucket an existing bucket
     * @param prefix prepended to every key (for example {@code results/}); may be empty
     * @param partSize bytes per uploaded part, at least 5 MiB
     */
    public S3ResultStore(S3Client s3, String bucket, String prefix, int partSize) {
        this(s3, null, bucket, prefix, partSize);
    }

    /**
     * @param presigner signs GET links for {@link #presignedGet} (same endpoint, region and credentials as
     *     {@code s3}), or {@code null} for a store that hands out none
     */
    public S3ResultStore(S3Client s3, S3Presigner presigner, String bucket, String prefix, int partSize) {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("bucket must not be blank");
        }
        if (partSize < MIN_PART_SIZE) {
            throw new IllegalArgumentException("partSize must be at least 5 MiB (S3's minimum part), was " + partSize);
        }
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix == null ? "" : prefix;
        this.partSize = partSize;
        this.presigner = presigner;
    }

    @Override
    public Optional<java.net.URI> presignedGet(String key, java.time.Duration validFor) {
        if (presigner == null) {
            return Optional.empty();
        }
        String objectKey = objectKey(key);
        try {
            return Optional.of(presigner.presignGetObject(r -> r.signatureDuration(validFor)
                    .getObjectRequest(g -> g.bucket(bucket).key(objectKey))).url().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("the S3 presigner made an invalid URL", e);
        }
    }

    @Override
    public StoredObject put(String key, InputStream content, long maxBytes) throws IOException {
        String objectKey = objectKey(key);
        Optional<StoredObject> existing = stat(key);
        PartReader reader = new PartReader(content, partSize, key, maxBytes);
        if (existing.isPresent()) {
            // Same bytes again is a no-op; different bytes never replace a result a client may already hold.
            reader.drain();
            if (existing.get().sha256().equals(reader.sha256Hex())) {
                return existing.get();
            }
            throw new FileAlreadyExistsException(key, null, "a different object already has this key");
        }
        int first = reader.fill();
        try {
            if (first < partSize) {
                putSingle(objectKey, reader, first);
            } else {
                putMultipart(objectKey, reader, first);
            }
        } catch (SdkException e) {
            throw new IOException("could not store result " + key + " in bucket " + bucket, e);
        }
        return stat(key).orElseThrow(() -> new IOException("result " + key + " vanished right after it was written"));
    }

    private void putSingle(String objectKey, PartReader reader, int length) {
        writeChecksum(objectKey, reader.sha256Hex());
        try {
            s3.putObject(b -> b.bucket(bucket).key(objectKey).contentType(contentType(objectKey)).contentLength((long) length),
                    part(reader.buffer(), length));
        } catch (SdkException e) {
            deleteQuietly(objectKey + CHECKSUM_SUFFIX);
            throw e;
        }
    }

    private void putMultipart(String objectKey, PartReader reader, int firstLength) throws IOException {
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(objectKey).contentType(contentType(objectKey)))
                .uploadId();
        boolean checksumWritten = false;
        try {
            List<CompletedPart> parts = new ArrayList<>();
            int length = firstLength;
            while (length > 0) {
                int partNumber = parts.size() + 1;
                int size = length;
                String etag = s3.uploadPart(b -> b.bucket(bucket).key(objectKey).uploadId(uploadId)
                                .partNumber(partNumber).contentLength((long) size),
                        part(reader.buffer(), size)).eTag();
                parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
                length = length < partSize ? 0 : reader.fill();
            }
            writeChecksum(objectKey, reader.sha256Hex());
            checksumWritten = true;
            s3.completeMultipartUpload(b -> b.bucket(bucket).key(objectKey).uploadId(uploadId)
                    .multipartUpload(u -> u.parts(parts)));
        } catch (IOException | RuntimeException e) {
            try {
                s3.abortMultipartUpload(b -> b.bucket(bucket).key(objectKey).uploadId(uploadId));
            } catch (SdkException abortFailure) {
                e.addSuppressed(abortFailure);
            }
            if (checksumWritten) {
                deleteQuietly(objectKey + CHECKSUM_SUFFIX);
            }
            throw e;
        }
    }

    /** A request body over the buffer without copying it; each retry gets a fresh stream over the same bytes. */
    private static RequestBody part(byte[] buffer, int length) {
        return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, length), length,
                "application/octet-stream");
    }

    @Override
    public Optional<StoredObject> stat(String key) throws IOException {
        String objectKey = objectKey(key);
        HeadObjectResponse head;
        try {
            head = s3.headObject(b -> b.bucket(bucket).key(objectKey));
        } catch (SdkException e) {
            if (isNotFound(e)) {
                return Optional.empty();
            }
            throw new IOException("could not read result " + key + " from bucket " + bucket, e);
        }
        return Optional.of(new StoredObject(key, head.contentLength(), readChecksum(objectKey), head.lastModified()));
    }

    @Override
    public InputStream open(String key, long offset, long length) throws IOException {
        String objectKey = objectKey(key);
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative: " + offset);
        }
        if (length == 0) {
            // An HTTP range cannot ask for zero bytes; still fail for a missing key, as a ranged read would.
            stat(key).orElseThrow(() -> new NoSuchFileException(key));
            return InputStream.nullInputStream();
        }
        String range = length < 0 ? (offset == 0 ? null : "bytes=" + offset + "-") : "bytes=" + offset + "-" + (offset + length - 1);
        try {
            return s3.getObject(b -> b.bucket(bucket).key(objectKey).range(range));
        } catch (SdkException e) {
            if (isNotFound(e)) {
                throw new NoSuchFileException(key);
            }
            if (e instanceof S3Exception s3e && s3e.statusCode() == 416) {
                // Starting past the end reads nothing, as it does from a local file.
                return InputStream.nullInputStream();
            }
            throw new IOException("could not read result " + key + " from bucket " + bucket, e);
        }
    }

    @Override
    public void delete(String key) throws IOException {
        String objectKey = objectKey(key);
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(objectKey));
            s3.deleteObject(b -> b.bucket(bucket).key(objectKey + CHECKSUM_SUFFIX));
        } catch (SdkException e) {
            throw new IOException("could not delete result " + key + " from bucket " + bucket, e);
        }
    }

    /** The bucket key of a result key: the same safe relative paths the local-disk store accepts. */
    String objectKey(String key) {
        if (key == null || key.length() > 512 || !KEY.matcher(key).matches() || key.contains("..")
                || key.endsWith(CHECKSUM_SUFFIX)) {
            throw new IllegalArgumentException("invalid result key: " + key);
        }
        return prefix + key;
    }

    private void writeChecksum(String objectKey, String hex) {
        byte[] bytes = hex.getBytes(StandardCharsets.US_ASCII);
        s3.putObject(b -> b.bucket(bucket).key(objectKey + CHECKSUM_SUFFIX).contentType("text/plain").contentLength((long) bytes.length),
                RequestBody.fromBytes(bytes));
    }

    private String readChecksum(String objectKey) throws IOException {
        try {
            return new String(s3.getObjectAsBytes(b -> b.bucket(bucket).key(objectKey + CHECKSUM_SUFFIX)).asByteArray(),
                    StandardCharsets.US_ASCII).trim();
        } catch (SdkException e) {
            if (isNotFound(e)) {
                return "";
            }
            throw new IOException("could not read the checksum of " + objectKey, e);
        }
    }

    private void deleteQuietly(String objectKey) {
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(objectKey));
        } catch (SdkException ignored) {
            // Best effort after a failed write: a checksum without its object is ignored by stat().
        }
    }

    private static boolean isNotFound(SdkException e) {
        return e instanceof NoSuchKeyException || (e instanceof S3Exception s3e && s3e.statusCode() == 404);
    }

    private static String contentType(String objectKey) {
        String lower = objectKey.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".mp4")) {
            return "video/mp4";
        }
        if (lower.endsWith(".png")) {
            return "image/png";
        }
        if (lower.endsWith(".jpg") || lower.endsWith(".jpeg")) {
            return "image/jpeg";
        }
        return "application/octet-stream";
    }

    /** Fills one part-sized buffer at a time from the source, hashing and counting as it goes. */
    private static final class PartReader {
        private final InputStream in;
        private final byte[] buffer;
        private final String key;
        private final long maxBytes;
        private final MessageDigest sha;
        private long total;

        PartReader(InputStream in, int partSize, String key, long maxBytes) {
            this.in = in;
            this.buffer = new byte[partSize];
            this.key = key;
            this.maxBytes = maxBytes;
            this.sha = sha256();
        }

        /** Reads up to a full buffer; fewer bytes than its size means the source has ended. */
        int fill() throws IOException {
            int filled = 0;
            while (filled < buffer.length) {
                int n = in.read(buffer, filled, buffer.length - filled);
                if (n < 0) {
                    break;
                }
                filled += n;
                total += n;
                if (total > maxBytes) {
                    throw new ResultTooLargeException(key, maxBytes);
                }
            }
            sha.update(buffer, 0, filled);
            return filled;
        }

        void drain() throws IOException {
            while (fill() == buffer.length) {
                // keep hashing
            }
        }

        byte[] buffer() {
            return buffer;
        }

        String sha256Hex() {
            try {
                return HexFormat.of().formatHex(((MessageDigest) sha.clone()).digest());
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException("the JDK's SHA-256 supports clone", e);
            }
        }

        private static MessageDigest sha256() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is part of every JDK", e);
            }
        }
    }
}

package dev.wanhybrid.gateway.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Results on the local disk: one file per key under a root folder, written to a temporary file, checksummed
 * while streaming and moved into place atomically, with the SHA-256 beside it in {@code <file>.sha256}.
 */
public class LocalDiskResultStore implements ResultStore {

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*");

    private final Path root;

    public LocalDiskResultStore(Path root) throws IOException {
        this.root = Files.createDirectories(root).toAbsolutePath().normalize();
    }

    @Override
    public StoredObject put(String key, InputStream content, long maxBytes) throws IOException {
        Path target = resolve(key);
        Files.createDirectories(target.getParent());
        Path temp = Files.createTempFile(target.getParent(), ".upload-", ".tmp");
        try {
            MessageDigest sha = sha256();
            long size = 0;
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(temp), sha)) {
                byte[] buffer = new byte[64 * 1024];
                int n;
                while ((n = content.read(buffer)) >= 0) {
                    size += n;
                    if (size > maxBytes) {
                        throw new ResultTooLargeException(key, maxBytes);
                    }
                    out.write(buffer, 0, n);
                }
            }
            String hex = HexFormat.of().formatHex(sha.digest());
            Optional<StoredObject> existing = stat(key);
            if (existing.isPresent()) {
                if (existing.get().sha256().equals(hex)) {
                    return existing.get();
                }
                throw new FileAlreadyExistsException(key, null, "a different object already has this key");
            }
            // The checksum file goes first: a reader that sees the object also sees its checksum.
            Files.writeString(checksumFile(target), hex, StandardCharsets.US_ASCII);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target);
            }
            return new StoredObject(key, size, hex, Files.getLastModifiedTime(target).toInstant());
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public Optional<StoredObject> stat(String key) throws IOException {
        Path file = resolve(key);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Path checksum = checksumFile(file);
        String hex = Files.exists(checksum) ? Files.readString(checksum, StandardCharsets.US_ASCII).trim() : "";
        return Optional.of(new StoredObject(key, Files.size(file), hex, Files.getLastModifiedTime(file).toInstant()));
    }

    @Override
    public InputStream open(String key, long offset, long length) throws IOException {
        Path file = resolve(key);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(key);
        }
        SeekableByteChannel channel = Files.newByteChannel(file, StandardOpenOption.READ);
        channel.position(Math.max(0, offset));
        InputStream in = Channels.newInputStream(channel);
        return length < 0 ? in : new BoundedInputStream(in, length);
    }

    @Override
    public void delete(String key) throws IOException {
        Path file = resolve(key);
        Files.deleteIfExists(file);
        Files.deleteIfExists(checksumFile(file));
    }

    /** Keys are relative paths of safe characters; anything that could leave the root is refused. */
    private Path resolve(String key) {
        if (key == null || key.length() > 512 || !KEY.matcher(key).matches() || key.contains("..")) {
            throw new IllegalArgumentException("invalid result key: " + key);
        }
        Path path = root.resolve(key).normalize();
        if (!path.startsWith(root)) {
            throw new IllegalArgumentException("invalid result key: " + key);
        }
        return path;
    }

    private static Path checksumFile(Path file) {
        return file.resolveSibling(file.getFileName() + ".sha256");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** Reads at most {@code remaining} bytes. */
    private static final class BoundedInputStream extends InputStream {
        private final InputStream in;
        private long remaining;

        BoundedInputStream(InputStream in, long remaining) {
            this.in = in;
            this.remaining = remaining;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}

package dev.wanhybrid.gateway.backend.local;

import dev.wanhybrid.engine.EngineRequest;
import dev.wanhybrid.engine.SuspendedGeneration;
import java.io.ByteArrayInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The suspended runs of this local backend on disk, one file per job in {@code <work dir>/suspended}, so that a
 * gateway restarted while a run waited to resume continues it from its step boundary rather than from its first
 * step. A file holds the {@link SuspendedGeneration} ({@link SuspendedGeneration#toBytes}), the GPU time of the runs
 * before it, the progress reported at the boundary, a fingerprint of the request the gateway made for the job, and a
 * CRC-32C over all of it; it is written to a temporary name and moved into place, so a reader sees a whole file or
 * none.
 *
 * <p>A file is used only by a task of the same job whose request has the same fingerprint (prompt, size, frames,
 * steps, guidance, sampler, image, LoRAs, and the seed when the caller gave one; a seed the gateway drew is the
 * saved one). Anything else (another request, a short or corrupt file) is deleted with a WARN, and the run starts
 * from its first step, as it did before suspended runs were kept. Writing or reading never fails a task.
 */
final class SuspendedRunFiles {

    private static final Logger log = LoggerFactory.getLogger(SuspendedRunFiles.class);
    private static final String MAGIC = "wan-hybrid suspended local run v1";
    private static final String SUFFIX = ".suspended";

    private final Path dir;

    SuspendedRunFiles(Path dir) {
        this.dir = dir;
    }

    /** A run read back: where it stopped, the progress it had reported there, and the GPU time of the runs before. */
    record Saved(SuspendedGeneration state, int progress, BigDecimal gpuSeconds) {}

    /** Writes (or replaces) {@code jobId}'s suspended run; logs a WARN and returns false when it cannot. */
    boolean save(String jobId, EngineRequest asRequested, boolean seedGiven, SuspendedGeneration state, int progress,
            BigDecimal gpuSeconds) {
        Path file = file(jobId);
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(dir);
            byte[] generation = state.toBytes();
            CRC32C crc = new CRC32C();
            try (var raw = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
                    DataOutputStream out = new DataOutputStream(new CheckedOutputStream(raw, crc))) {
                out.writeUTF(MAGIC);
                out.writeUTF(jobId);
                out.write(fingerprint(state.modelId(), asRequested, seedGiven));
                out.writeInt(progress);
                out.writeUTF(gpuSeconds.toPlainString());
                out.writeInt(generation.length);
                out.write(generation);
                out.flush();
                new DataOutputStream(raw).writeInt((int) crc.getValue());
            }
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            return true;
        } catch (IOException | RuntimeException e) {
            log.warn("could not keep the suspended run of job {} on disk ({}); a restart would start it again from"
                    + " its first step", jobId, e.toString());
            deleteQuietly(tmp);
            return false;
        }
    }

    /**
     * {@code jobId}'s suspended run, if one was kept for this same request; a file that does not match or cannot be
     * read is deleted.
     */
    Optional<Saved> find(String jobId, String modelId, EngineRequest asRequested, boolean seedGiven) {
        Path file = file(jobId);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        String why;
        try {
            byte[] all = Files.readAllBytes(file);
            if (all.length < 4) {
                throw new IllegalArgumentException("truncated");
            }
            CRC32C crc = new CRC32C();
            crc.update(all, 0, all.length - 4);
            int stored = ((all[all.length - 4] & 0xff) << 24) | ((all[all.length - 3] & 0xff) << 16)
                    | ((all[all.length - 2] & 0xff) << 8) | (all[all.length - 1] & 0xff);
            if ((int) crc.getValue() != stored) {
                throw new IllegalArgumentException("checksum mismatch");
            }
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, 0, all.length - 4))) {
                if (!MAGIC.equals(in.readUTF()) || !jobId.equals(in.readUTF())) {
                    throw new IllegalArgumentException("not this job's suspended run");
                }
                byte[] fingerprint = in.readNBytes(32);
                int progress = in.readInt();
                BigDecimal gpu = new BigDecimal(in.readUTF());
                byte[] generation = in.readNBytes(in.readInt());
                SuspendedGeneration state = SuspendedGeneration.fromBytes(generation);
                if (!MessageDigest.isEqual(fingerprint, fingerprint(modelId, asRequested, seedGiven))
                        || !state.modelId().equals(modelId)) {
                    why = "it was made for another request or model";
                } else {
                    return Optional.of(new Saved(state, progress, gpu));
                }
            }
        } catch (IOException | RuntimeException e) {
            why = "it cannot be read: " + e.getMessage();
        }
        log.warn("job {}: a suspended run was kept on disk, but {}; it starts from its first step", jobId, why);
        deleteQuietly(file);
        return Optional.empty();
    }

    /** Deletes {@code jobId}'s suspended run, if any. */
    void delete(String jobId) {
        deleteQuietly(file(jobId));
    }

    /**
     * Deletes the files not written since {@code before} whose job {@code live} does not name (a job cancelled or
     * sent elsewhere while the gateway was down); returns how many.
     */
    int purge(Predicate<String> live, Instant before) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                boolean ours = name.endsWith(SUFFIX) || name.endsWith(SUFFIX + ".tmp");
                if (ours && !live.test(name.substring(0, name.indexOf(SUFFIX)))
                        && Files.getLastModifiedTime(f).toInstant().isBefore(before)) {
                    deleteQuietly(f);
                    removed++;
                }
            }
        } catch (IOException e) {
            log.debug("could not list {}: {}", dir, e.toString());
        }
        return removed;
    }

    /** The file of {@code jobId}: its id as the name when it is a plain one (job ids are), else its SHA-256. */
    Path file(String jobId) {
        String name = jobId.matches("[A-Za-z0-9_-]{1,128}") ? jobId : HexFormat.of().formatHex(sha256(jobId.getBytes(
                java.nio.charset.StandardCharsets.UTF_8)));
        return dir.resolve(name + SUFFIX);
    }

    /** SHA-256 of the request as the gateway made it, with the seed left out when the gateway drew it. */
    private static byte[] fingerprint(String modelId, EngineRequest r, boolean seedGiven) {
        EngineRequest asked = new EngineRequest(r.prompt(), r.negativePrompt(), r.width(), r.height(), r.frames(),
                r.steps(), r.guidanceScale(), seedGiven ? r.seed() : -1, r.sampler(), r.image(), r.loras());
        return sha256(new SuspendedGeneration(modelId, asked, 0, Map.of(), Map.of()).toBytes());
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteQuietly(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            log.debug("could not delete {}: {}", f, e.toString());
        }
    }
}

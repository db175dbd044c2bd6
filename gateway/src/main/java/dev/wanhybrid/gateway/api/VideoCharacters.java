package dev.wanhybrid.gateway.api;

import dev.wanhybrid.engine.VideoStills;
import dev.wanhybrid.gateway.storage.ResultStore;
import dev.wanhybrid.gateway.storage.ResultTooLargeException;
import dev.wanhybrid.gateway.storage.StoredObject;
import dev.wanhybrid.gateway.web.ApiError;
import dev.wanhybrid.gateway.web.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The characters of the OpenAI Videos API: a tenant's named reference clip, checked with FFmpeg (an MP4 or
 * QuickTime video no longer than {@link CharacterProperties#maxClipSeconds()}), kept in the {@link ResultStore}
 * under {@code characters/<id>/clip.mp4} and recorded in the {@code video_characters} table with its owner. A
 * character is found only by its own tenant; for any other it does not exist.
 */
@Component
class VideoCharacters {

    private static final Logger log = LoggerFactory.getLogger(VideoCharacters.class);
    static final Pattern ID = Pattern.compile("char_[0-9a-f]{32}");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One stored character. */
    record VideoCharacter(String id, String tenant, String name, String clipKey, long clipSize,
            BigDecimal clipSeconds, Instant createdAt) {}

    private final JdbcClient jdbc;
    private final ResultStore results;
    private final CharacterProperties limits;
    private final Clock clock;

    VideoCharacters(JdbcClient jdbc, ResultStore results, CharacterProperties limits, Clock clock) {
        this.jdbc = jdbc;
        this.results = results;
        this.limits = limits;
        this.clock = clock;
    }

    /**
     * Checks the clip, stores it and records the character; a clip that is not a short MP4 or QuickTime video is a
     * 400 naming {@code video}. When the record cannot be written the stored clip is removed again.
     */
    VideoCharacter create(String tenant, String name, InputStream clip) throws IOException {
        Path file = Files.createTempFile("character-", ".clip");
        try {
            long size;
            try (InputStream in = clip) {
                size = Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            if (size == 0) {
                throw ApiException.invalid("video", "empty_file", "video is empty.");
            }
            if (size > limits.maxClipSize().toBytes()) {
                throw tooLarge();
            }
            BigDecimal seconds = checkedSeconds(file);
            String id = "char_" + HexFormat.of().formatHex(randomBytes());
            String key = "characters/" + id + "/clip.mp4";
            StoredObject stored;
            try (InputStream in = Files.newInputStream(file)) {
                stored = results.put(key, in, limits.maxClipSize().toBytes());
            } catch (ResultTooLargeException e) {
                throw tooLarge();
            }
            Instant now = clock.instant();
            VideoCharacter character = new VideoCharacter(id, tenant, name, key, stored.size(), seconds, now);
            try {
                jdbc.sql("INSERT INTO video_characters (id, tenant, name, clip_key, clip_size, clip_seconds,"
                                + " created_at) VALUES (:id, :tenant, :name, :key, :size, :seconds, :created)")
                        .param("id", id).param("tenant", tenant).param("name", name).param("key", key)
                        .param("size", stored.size()).param("seconds", seconds)
                        .param("created", OffsetDateTime.ofInstant(now, ZoneOffset.UTC)).update();
            } catch (RuntimeException e) {
                deleteQuietly(key);
                throw e;
            }
            return character;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The tenant's character {@code id}; empty for an unknown id, a malformed one, or another tenant's. */
    Optional<VideoCharacter> find(String tenant, String id) {
        if (id == null || !ID.matcher(id).matches()) {
            return Optional.empty();
        }
        return jdbc.sql("SELECT id, tenant, name, clip_key, clip_size, clip_seconds, created_at FROM video_characters"
                        + " WHERE id = :id AND tenant = :tenant")
                .param("id", id).param("tenant", tenant)
                .query((rs, n) -> new VideoCharacter(rs.getString("id"), rs.getString("tenant"),
                        rs.getString("name"), rs.getString("clip_key"), rs.getLong("clip_size"),
                        rs.getBigDecimal("clip_seconds"),
                        rs.getObject("created_at", OffsetDateTime.class).toInstant()))
                .optional();
    }

    /** The tenant's character {@code id}, or a 404 naming {@code param}. */
    VideoCharacter visible(String tenant, String id, String param) {
        return find(tenant, id).orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND, ApiError.INVALID_REQUEST,
                param, "character_not_found", "No character found with id '" + ApiError.printable(id) + "'."));
    }

    private BigDecimal checkedSeconds(Path file) {
        VideoStills.Clip clip;
        try {
            clip = VideoStills.clip(file);
        } catch (IOException e) {
            throw ApiException.invalid("video", "invalid_video",
                    "video is not a readable video: FFmpeg found no video stream in it.");
        }
        if (!java.util.Arrays.asList(clip.format().split(",")).contains("mp4")) {
            throw ApiException.invalid("video", "invalid_video_format",
                    "video must be an MP4 or QuickTime (.mov) file, not " + ApiError.printable(clip.format()) + ".");
        }
        if (!(clip.seconds() > 0) || clip.seconds() > limits.maxClipSeconds()) {
            throw ApiException.invalid("video", "invalid_video_duration", String.format(java.util.Locale.ROOT,
                    "video is %.1f s long; a character's clip must be at most %d s.", clip.seconds(),
                    limits.maxClipSeconds()));
        }
        return BigDecimal.valueOf(clip.seconds()).setScale(3, RoundingMode.HALF_UP);
    }

    private ApiException tooLarge() {
        return new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, ApiError.INVALID_REQUEST, "video", "video_too_large",
                "video is larger than " + limits.maxClipSize().toBytes() + " bytes.");
    }

    private void deleteQuietly(String key) {
        try {
            results.delete(key);
        } catch (IOException | RuntimeException e) {
            log.warn("could not delete stored object {}: {}", key, e.toString());
        }
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}

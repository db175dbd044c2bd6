package dev.wanhybrid.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wanhybrid.engine.internal.video.FfmpegTools;
import dev.wanhybrid.gateway.e2e.support.FfmpegPrograms;
import dev.wanhybrid.gateway.storage.LocalDiskResultStore;
import dev.wanhybrid.gateway.web.ApiException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.util.unit.DataSize;

/**
 * Characters against the real migration (H2), the real disk store and FFmpeg: clips made here by FFmpeg's own
 * test source, in containers and lengths the checks must tell apart.
 */
class VideoCharactersTest {

    @TempDir
    static Path clips;

    @TempDir
    Path root;

    static Path mp4;
    static Path mov;
    static Path mkv;
    static Path long40s;

    VideoCharacters characters;
    LocalDiskResultStore store;
    JdbcClient jdbc;
    final Instant now = Instant.parse("2026-12-05T12:00:00Z");

    @BeforeAll
    static void makeClips() throws Exception {
        FfmpegPrograms.assumeAvailable();
        mp4 = clip("clip.mp4", 3, "mp4");
        mov = clip("clip.mov", 2, "mov");
        mkv = clip("clip.mkv", 2, "matroska");
        long40s = clip("long.mp4", 40, "mp4");
    }

    private static Path clip(String name, int seconds, String format) throws Exception {
        Path out = clips.resolve(name);
        FfmpegTools.ffmpeg(List.of("-f", "lavfi", "-i", "testsrc=size=160x96:rate=8:duration=" + seconds,
                "-c:v", "mpeg4", "-f", format, out.toString()));
        return out;
    }

    @BeforeEach
    void setUp() throws Exception {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:characters-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        jdbc = JdbcClient.create(dataSource);
        store = new LocalDiskResultStore(root);
        characters = new VideoCharacters(jdbc, store, new CharacterProperties(DataSize.ofMegabytes(10), 30),
                Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void aCharacterIsStoredWithItsClipAndFoundOnlyByItsTenant() throws Exception {
        VideoCharacters.VideoCharacter made = characters.create("alpha", "Ada", Files.newInputStream(mp4));
        assertThat(made.id()).matches("char_[0-9a-f]{32}");
        assertThat(made.createdAt()).isEqualTo(now);
        assertThat(made.clipSeconds().doubleValue()).isBetween(2.9, 3.1);
        try (InputStream in = store.open(made.clipKey(), 0, -1)) {
            assertThat(in.readAllBytes()).isEqualTo(Files.readAllBytes(mp4));
        }
        assertThat(characters.find("alpha", made.id())).hasValue(made);
        assertThat(characters.find("beta", made.id())).isEmpty();
        assertThat(characters.find("alpha", "char_" + "0".repeat(32))).isEmpty();
        assertThat(characters.find("alpha", "../" + made.id())).isEmpty();
        assertThatThrownBy(() -> characters.visible("beta", made.id(), "characters[0].id"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status().value()).isEqualTo(404);
                    assertThat(e.param()).isEqualTo("characters[0].id");
                    assertThat(e.code()).isEqualTo("character_not_found");
                });
        assertThat(characters.create("alpha", "Bo", Files.newInputStream(mov)).clipSeconds().doubleValue())
                .isBetween(1.9, 2.1);
    }

    @Test
    void aClipThatIsNotAShortMp4OrQuickTimeVideoIsRefusedAndNothingIsKept() throws Exception {
        refused(Files.newInputStream(mkv), 400, "invalid_video_format");
        refused(Files.newInputStream(long40s), 400, "invalid_video_duration");
        refused(new ByteArrayInputStream("not a video at all".getBytes()), 400, "invalid_video");
        refused(new ByteArrayInputStream(new byte[0]), 400, "empty_file");
        VideoCharacters small = new VideoCharacters(jdbc, store, new CharacterProperties(DataSize.ofBytes(1000), 30),
                Clock.systemUTC());
        assertThatThrownBy(() -> small.create("alpha", "Ada", Files.newInputStream(mp4)))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status().value()).isEqualTo(413);
                    assertThat(e.param()).isEqualTo("video");
                });
        assertThat(jdbc.sql("SELECT COUNT(*) FROM video_characters").query(Long.class).single()).isZero();
        try (var files = Files.walk(root)) {
            assertThat(files.filter(Files::isRegularFile).toList()).isEmpty();
        }
    }

    private void refused(InputStream clip, int status, String code) {
        assertThatThrownBy(() -> characters.create("alpha", "Ada", clip))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status().value()).isEqualTo(status);
                    assertThat(e.param()).isEqualTo("video");
                    assertThat(e.code()).isEqualTo(code);
                });
    }
}

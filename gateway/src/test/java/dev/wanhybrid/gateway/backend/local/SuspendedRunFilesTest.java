package dev.wanhybrid.gateway.backend.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.engine.EngineRequest;
import dev.wanhybrid.engine.HostTensor;
import dev.wanhybrid.engine.SuspendedGeneration;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Suspended runs on disk: read back whole for the same job and request; refused, and deleted, for another request,
 * another model or a damaged file; unclaimed files purged.
 */
class SuspendedRunFilesTest {

    private static final String MODEL = "wan2.1-t2v-1.3b";

    @TempDir
    Path dir;

    private SuspendedRunFiles files() {
        return new SuspendedRunFiles(dir.resolve("suspended"));
    }

    /** The request as the gateway made it; {@code seed} is the one it drew or was given. */
    private static EngineRequest request(String prompt, long seed) {
        return new EngineRequest(prompt, null, 832, 480, 81, 50, 5.0, seed, "unipc");
    }

    /** The engine's state at step 20, with its defaults filled in (a negative prompt) and a latent of random bytes. */
    private static SuspendedGeneration state(EngineRequest asked) {
        byte[] latent = new byte[16 * 21 * 4 * 4];
        new Random(3).nextBytes(latent);
        EngineRequest filled = new EngineRequest(asked.prompt(), "blurry", asked.width(), asked.height(),
                asked.frames(), asked.steps(), asked.guidanceScale(), asked.seed(), asked.sampler());
        return new SuspendedGeneration(MODEL, filled, 20, Map.of("latents", new HostTensor(new long[] {16, 21, 4, 4},
                "float32", latent)), Map.of("sampler.step", 20L));
    }

    @Test
    void theSameJobAndRequestReadItsRunBackWholeWithTheSeedTheGatewayDrew() {
        SuspendedRunFiles files = files();
        EngineRequest asked = request("a cat surfing", 12345);
        SuspendedGeneration state = state(asked);
        assertThat(files.save("video_a", asked, false, state, 40, new BigDecimal("61.250"))).isTrue();

        // A restarted gateway draws another seed for the same job; the saved run keeps the first.
        var saved = files.find("video_a", MODEL, request("a cat surfing", 999), false).orElseThrow();
        assertThat(saved.gpuSeconds()).isEqualByComparingTo("61.25");
        assertThat(saved.progress()).isEqualTo(40);
        assertThat(saved.state().nextStep()).isEqualTo(20);
        assertThat(saved.state().request().seed()).isEqualTo(12345);
        assertThat(saved.state().toBytes()).isEqualTo(state.toBytes());
        assertThat(Files.exists(files.file("video_a"))).as("kept until the run finishes").isTrue();
        files.delete("video_a");
        assertThat(files.find("video_a", MODEL, asked, false)).isEmpty();
    }

    @Test
    void anotherRequestAnotherModelOrAGivenSeedThatDiffersStartAgainAndDeleteTheFile() {
        SuspendedRunFiles files = files();
        EngineRequest asked = request("a cat surfing", 7);
        files.save("video_b", asked, true, state(asked), 40, BigDecimal.ONE);
        assertThat(files.find("video_b", MODEL, request("a cat surfing", 8), true)).isEmpty();
        assertThat(Files.exists(files.file("video_b"))).isFalse();

        files.save("video_b", asked, true, state(asked), 40, BigDecimal.ONE);
        assertThat(files.find("video_b", MODEL, request("a dog surfing", 7), true)).isEmpty();

        files.save("video_b", asked, true, state(asked), 40, BigDecimal.ONE);
        assertThat(files.find("video_b", "wan2.1-t2v-14b", asked, true)).isEmpty();

        files.save("video_b", asked, true, state(asked), 40, BigDecimal.ONE);
        assertThat(files.find("video_other", MODEL, asked, true)).isEmpty();
        assertThat(files.find("video_b", MODEL, asked, true)).isPresent();
    }

    @Test
    void aDamagedOrTruncatedFileIsNotResumedAndIsDeleted() throws Exception {
        SuspendedRunFiles files = files();
        EngineRequest asked = request("a cat surfing", 7);
        files.save("video_c", asked, false, state(asked), 40, BigDecimal.ONE);
        Path file = files.file("video_c");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x10; // one bit of the latent
        Files.write(file, bytes);
        assertThat(files.find("video_c", MODEL, asked, false)).isEmpty();
        assertThat(Files.exists(file)).isFalse();

        files.save("video_c", asked, false, state(asked), 40, BigDecimal.ONE);
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(whole, whole.length - 100));
        assertThat(files.find("video_c", MODEL, asked, false)).isEmpty();
        assertThat(Files.exists(file)).isFalse();
    }

    @Test
    void filesNoLiveJobTookBackArePurgedOnceOldAndOddJobIdsStayInTheFolder() throws Exception {
        SuspendedRunFiles files = files();
        EngineRequest asked = request("a cat surfing", 7);
        for (String job : new String[] {"video_live", "video_orphan", "video_recent"}) {
            files.save(job, asked, false, state(asked), 40, BigDecimal.ONE);
        }
        Instant now = Instant.now();
        FileTime old = FileTime.from(now.minus(Duration.ofDays(2)));
        Files.setLastModifiedTime(files.file("video_live"), old);
        Files.setLastModifiedTime(files.file("video_orphan"), old);

        assertThat(files.purge("video_live"::equals, now.minus(Duration.ofDays(1)))).isEqualTo(1);
        assertThat(Files.exists(files.file("video_orphan"))).isFalse();
        assertThat(Files.exists(files.file("video_live"))).isTrue();
        assertThat(Files.exists(files.file("video_recent"))).isTrue();

        Path odd = files.file("../../etc/passwd");
        assertThat(odd.getParent()).isEqualTo(dir.resolve("suspended"));
        assertThat(odd.getFileName().toString()).matches("[0-9a-f]{64}\\.suspended");
    }
}

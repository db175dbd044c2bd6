package dev.wanhybrid.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobIdTest {

    @Test
    void anIdIsOpenAisShapeWithItsCreationTimeFirstAndEightyRandomBits() {
        long at = Instant.parse("2026-12-07T03:00:00.123Z").toEpochMilli();
        String id = GenerationService.newJobId(at);

        assertThat(id).matches("video_[0-9a-f]{32}");
        assertThat(Long.parseLong(id.substring(6, 18), 16)).isEqualTo(at);
        // The random part differs between ids of the same millisecond.
        var tails = new HashSet<String>();
        for (int i = 0; i < 1000; i++) {
            tails.add(GenerationService.newJobId(at).substring(18));
        }
        assertThat(tails).hasSize(1000);
    }

    @Test
    void idsOfLaterMillisecondsSortAfterEarlierOnesSoIndexesKeyedByTheIdGrowAtTheirEnd() {
        List<String> ids = new ArrayList<>();
        long start = Instant.parse("2026-12-07T03:00:00Z").toEpochMilli();
        for (long ms : new long[] {start, start + 1, start + 255, start + 256, start + 65_536, start + 86_400_000L}) {
            ids.add(GenerationService.newJobId(ms));
        }
        assertThat(ids).isSorted();
        // Until the year 10889 the time fits its 12 digits.
        assertThat(GenerationService.newJobId(Instant.parse("9999-12-31T23:59:59Z").toEpochMilli()))
                .matches("video_[0-9a-f]{32}");
    }
}

package dev.wanhybrid.cloud;

import java.math.BigDecimal;
import java.util.Map;

/**
 * A task's usage block, read from any model family's shape.
 *
 * @param billedSeconds seconds of output the provider bills ({@code duration}, else {@code video_duration}, else
 *     {@code output_video_duration}), or {@code null} when absent
 * @param inputVideoSeconds seconds of input reference video billed (wan2.6 r2v), or {@code null}
 * @param size the output size or ratio as reported ({@code 1280*720}, {@code standard}), or {@code null}
 * @param sr the short side ({@code SR}: 480, 720, 1080), or {@code null}
 * @param videoCount number of videos, or {@code null}
 * @param audio whether the output has sound (flash variants), or {@code null}
 * @param raw every field as received, for what this record does not name
 */
public record Usage(BigDecimal billedSeconds, BigDecimal inputVideoSeconds, String size, Integer sr,
        Integer videoCount, Boolean audio, Map<String, Object> raw) {

    public Usage {
        raw = raw == null ? Map.of() : Map.copyOf(raw);
    }

    /** Seconds to bill at the unit price: output seconds plus billed input video seconds. */
    public BigDecimal totalBilledSeconds() {
        BigDecimal out = billedSeconds == null ? BigDecimal.ZERO : billedSeconds;
        return inputVideoSeconds == null ? out : out.add(inputVideoSeconds);
    }
}

package dev.wanhybrid.gateway.backend.local;

import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The local backend ({@code gateway.local}): where the Wan weights are, which devices run them, and the queue.
 *
 * @param modelPath a Diffusers folder such as {@code Wan2.1-T2V-1.3B-Diffusers}; unset means no local backend
 * @param devices one worker per device ({@code cuda:0}, {@code cpu})
 * @param workDir where finished MP4s wait until the dispatcher copies them into the result store (default
 *     {@code wan-gateway-local} under the JVM's temporary folder)
 * @param steps sampling steps per video
 * @param guidanceScale classifier-free guidance scale
 * @param sampler {@code unipc} or {@code euler}
 * @param defaultServiceTime assumed device time of one video until some have been measured
 * @param retention how long finished tasks (and their files) are kept for polling
 * @param dtype weight precision for the engine: {@code bf16} on GPUs (the official setting), {@code fp32} on CPU
 * @param modelId catalog id to report instead of the one derived from the checkpoint, or {@code null}
 * @param demoEngine load the local-engine module's file-free random-weight demo models instead of weights (the
 *     {@code demo} profile: Wan 2.1 text-to-video and Wan 2.2 text/image-to-video); their videos are labelled demo
 *     output
 * @param loras the LoRA registry: name to LoRA file (Diffusers naming); a request's {@code lora} must name one,
 *     and only Wan 2.2 engines apply them
 * @param offloadTextEncoder keep the text encoder off the device between prompts
 * @param checkpointEvery how often a running generation's state is written to the work dir at a step boundary, so a
 *     gateway that stops or dies mid-run continues it from there after its restart (engines that can suspend only;
 *     {@code 0} turns it off; {@code null} when built in code: off)
 */
@Validated
@ConfigurationProperties("gateway.local")
public record LocalProperties(
        Path modelPath,
        @NotNull @DefaultValue("cuda:0") List<@NotBlank String> devices,
        Path workDir,
        @Min(1) @Max(200) @DefaultValue("50") int steps,
        @DecimalMin("1.0") @DefaultValue("5.0") double guidanceScale,
        @NotBlank @DefaultValue("unipc") String sampler,
        @NotNull @DefaultValue("4m") Duration defaultServiceTime,
        @NotNull @DefaultValue("1h") Duration retention,
        String dtype,
        String modelId,
        @DefaultValue("false") boolean demoEngine,
        Map<String, Path> loras,
        @DefaultValue("false") boolean offloadTextEncoder,
        @DefaultValue("10m") Duration checkpointEvery) {

    public LocalProperties {
        loras = loras == null ? Map.of() : Map.copyOf(loras);
        checkpointEvery = checkpointEvery == null ? Duration.ZERO : checkpointEvery;
        if (checkpointEvery.isNegative()) {
            throw new IllegalArgumentException("gateway.local.checkpoint-every must not be negative, was "
                    + checkpointEvery);
        }
        // @DefaultValue is not placeholder-resolved: "${java.io.tmpdir}" there became a folder of that literal name.
        workDir = workDir != null ? workDir : Path.of(System.getProperty("java.io.tmpdir"), "wan-gateway-local");
    }

    public static final String NO_WEIGHTS =
            "no local weights: set gateway.local.model-path to a Wan2.1-T2V-1.3B-Diffusers folder";
}

package dev.wanhybrid.gateway.backend.remote;

import dev.wanhybrid.cost.Backend;
import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.local.FleetCost;
import dev.wanhybrid.cost.local.GpuFleet;
import dev.wanhybrid.gateway.catalog.AudioMode;
import dev.wanhybrid.gateway.catalog.QualityTier;
import dev.wanhybrid.gateway.generation.TaskKind;
import dev.wanhybrid.gateway.generation.VideoSize;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The remote self-hosted video servers ({@code gateway.remote-engines[]}): vLLM-Omni or NVIDIA NIM servers a team
 * already runs, each one more self-hosted backend with its own breaker, queue and GPU economics. See
 * {@code docs/remote-engines.md}.
 */
@Validated
@ConfigurationProperties("gateway")
public record RemoteEngineProperties(List<@Valid Engine> remoteEngines) {

    public RemoteEngineProperties {
        remoteEngines = remoteEngines == null ? List.of() : List.copyOf(remoteEngines);
        Set<String> names = new HashSet<>();
        Set<String> models = new HashSet<>();
        for (Engine e : remoteEngines) {
            if (!names.add(e.name())) {
                throw new IllegalArgumentException("gateway.remote-engines: the name '" + e.name() + "' is used twice");
            }
            for (Model m : e.models()) {
                if (!models.add(m.id())) {
                    throw new IllegalArgumentException("gateway.remote-engines[" + e.name() + "].models: the catalog"
                            + " id '" + m.id() + "' is used twice; give each endpoint's model its own id");
                }
            }
        }
    }

    /** Which variant of the OpenAI-style {@code /v1/videos} protocol the server speaks. */
    public enum Api {
        /** vLLM-Omni: multipart {@code POST /v1/videos}, polling, {@code /content}, {@code DELETE}. */
        VLLM_OMNI,
        /** A server that only offers the blocking {@code POST /v1/videos/sync} (MP4 in the answer). */
        VLLM_OMNI_SYNC
    }

    /**
     * One server.
     *
     * @param name a short id (lower-case, at most 16 characters, not {@code local} or {@code cloud}) used in routes,
     *     jobs, the ledger, breaker names and metric tags; never a URL
     * @param baseUrl the server's root, e.g. {@code http://wan-a.gpu.internal:8091}
     * @param api the protocol variant
     * @param apiKey sent as {@code Authorization: Bearer}, or empty for none
     * @param maxConcurrent jobs the gateway keeps outstanding there at most; more are refused (the router sees it full)
     * @param requestTimeout the longest one HTTP call may take (create, poll, delete; content streams longer)
     * @param unreachableAfter how long a job's server may stay unreachable before the job is taken from it and moves
     *     to its route's next candidate, or fails with {@code backend_unavailable}
     * @param gpu what its GPU time costs, priced like the in-JVM engine's fleet by the cost model
     * @param models what it serves
     */
    public record Engine(
            @NotBlank @Pattern(regexp = "[a-z][a-z0-9-]{0,15}", message = "must be 1-16 lower-case letters, digits or '-', starting with a letter") String name,
            @NotNull URI baseUrl,
            @NotNull @DefaultValue("VLLM_OMNI") Api api,
            String apiKey,
            @Positive @DefaultValue("4") int maxConcurrent,
            @NotNull @DefaultValue("30s") Duration requestTimeout,
            @NotNull @DefaultValue("60s") Duration unreachableAfter,
            @NotNull @Valid Gpu gpu,
            @NotEmpty List<@Valid Model> models) {

        public Engine {
            if (name != null && (Backend.LOCAL.is(name) || Backend.isCloud(name))) {
                throw new IllegalArgumentException("gateway.remote-engines[" + name + "].name: '" + name
                        + "' is the built-in backend's name or starts with 'cloud-' (the cloud sources'); choose another");
            }
            apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
            if (baseUrl != null && !("http".equals(baseUrl.getScheme()) || "https".equals(baseUrl.getScheme()))) {
                throw new IllegalArgumentException("gateway.remote-engines[" + name + "].base-url must be http(s), was "
                        + baseUrl);
            }
        }
    }

    /**
     * What the server's GPUs cost, in USD: give {@code rented} or {@code owned}, like {@code gateway.cost.fleet}.
     *
     * @param gpu GPU type (for the record; e.g. {@code h100})
     * @param count GPUs behind one job (sequence or tensor parallel); its GPU-seconds are service time times this
     */
    public record Gpu(@NotBlank @DefaultValue("h100") String gpu, @Positive @DefaultValue("1") int count,
            @Valid Rented rented, @Valid Owned owned) {

        public Gpu {
            if ((rented == null) == (owned == null)) {
                throw new IllegalArgumentException("gateway.remote-engines[].gpu: give exactly one of 'rented' or"
                        + " 'owned'");
            }
        }

        /** The cost model's fleet for these GPUs. */
        public GpuFleet fleet() {
            FleetCost cost = rented != null ? new FleetCost.Rented(Money.usd(rented.hourlyPerGpu()))
                    : new FleetCost.Owned(Money.usd(owned.capexPerGpu()), owned.amortizationYears(),
                            owned.busyWattsPerGpu(), owned.idleWattsPerGpu(), Money.usd(owned.energyPerKwh()),
                            owned.pue(), Money.usd(BigDecimal.ZERO), Money.usd(BigDecimal.ZERO));
            return new GpuFleet(gpu, count, cost);
        }
    }

    /** @param hourlyPerGpu USD per GPU-hour (rent is paid whether the GPU works or not: a video adds nothing) */
    public record Rented(@NotNull @DecimalMin("0") BigDecimal hourlyPerGpu) {}

    /** Owned GPUs: a video adds the energy above idle (see the cost model's {@code FleetCost.Owned}). */
    public record Owned(@NotNull @DecimalMin("0") BigDecimal capexPerGpu,
            @NotNull @DefaultValue("4") BigDecimal amortizationYears, @NotNull BigDecimal busyWattsPerGpu,
            BigDecimal idleWattsPerGpu, @NotNull @DecimalMin("0") BigDecimal energyPerKwh, BigDecimal pue) {}

    /**
     * One model the server serves.
     *
     * @param id the gateway catalog id (unique in the gateway), e.g. {@code wan2.2-ti2v-5b-gpu-a}
     * @param servedName the server's model name, sent as {@code model}, e.g. {@code Wan-AI/Wan2.2-TI2V-5B-Diffusers}
     * @param kinds {@code t2v}, {@code i2v}
     * @param sizes {@code WxH} sizes it produces
     * @param maxSeconds the longest clip
     * @param fps output frame rate; {@code num_frames = seconds * fps + 1} (Wan's 4k+1 frame rule)
     * @param audio whether it generates a sound track ({@code generate_sound})
     * @param loras LoRA names the server applies; a request naming one may route here, and the name is sent as
     *     {@code lora: {"name": ...}}
     * @param steps denoising steps sent as {@code num_inference_steps}
     * @param guidanceScale sent as {@code guidance_scale}, or omitted
     * @param distilled whether it is a distilled few-step variant (recorded in the route's candidate and docs)
     * @param quality its quality grade, for the router's tie-break
     * @param serviceTimePerSecond time to make one second of video before any measurement
     */
    public record Model(
            @NotBlank @Pattern(regexp = "[a-z0-9][a-z0-9.\\-]*", message = "must be lower-case letters, digits, '.' and '-'") String id,
            @NotBlank String servedName,
            @NotEmpty Set<TaskKind> kinds,
            @NotEmpty List<String> sizes,
            @Positive int maxSeconds,
            @Positive @DefaultValue("16") int fps,
            boolean audio,
            List<String> loras,
            @Positive @DefaultValue("50") int steps,
            BigDecimal guidanceScale,
            boolean distilled,
            @NotNull @DefaultValue("STANDARD") QualityTier quality,
            @NotNull @DefaultValue("20s") Duration serviceTimePerSecond) {

        public Model {
            loras = loras == null ? List.of() : List.copyOf(loras);
            if (sizes != null) {
                for (String s : sizes) {
                    try {
                        VideoSize.parse(s);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("gateway.remote-engines[].models[" + id + "].sizes: "
                                + e.getMessage(), e);
                    }
                }
            }
        }

        public Set<AudioMode> audioModes() {
            return audio ? Set.of(AudioMode.GENERATED) : Set.of();
        }

        /** Frames for a clip: Wan's VAE wants {@code 4k+1}, so one second more than {@code seconds * fps} frames. */
        public int frames(int seconds) {
            return seconds * fps + 1;
        }
    }
}

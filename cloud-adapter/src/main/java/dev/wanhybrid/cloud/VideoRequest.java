package dev.wanhybrid.cloud;

import java.util.List;

/**
 * One video-synthesis request as DashScope reads it; which fields apply depends on the model's kind (see
 * {@link dev.wanhybrid.cloud.catalog.ModelCatalog#validate}). {@code null} leaves a field out.
 *
 * @param model the model id in its international spelling ({@code wan2.6-t2v})
 * @param prompt text prompt (required for t2v and r2v)
 * @param negativePrompt what to avoid
 * @param imgUrl first-frame image for i2v (http(s), {@code oss://} or {@code data:} URL)
 * @param audioUrl audio track to synchronise to (wan2.5/2.6 only)
 * @param referenceUrls reference images/videos for r2v
 * @param firstFrameUrl first frame for kf2v
 * @param lastFrameUrl last frame for kf2v
 * @param size {@code W*H} for t2v and r2v
 * @param resolution {@code 480P|720P|1080P} for i2v and kf2v
 * @param duration seconds of output
 * @param seed 0..2147483647
 * @param promptExtend whether the service may rewrite the prompt
 * @param watermark whether to add Alibaba's watermark
 * @param shotType {@code single} or {@code multi} (wan2.6)
 * @param audio whether to generate sound (only models whose audio is optional)
 * @param media the typed inputs of the new protocol ({@code input.media[]}: Wan 2.7, wan3.0-video)
 * @param ratio the aspect ratio of the new protocol ({@code 16:9}, ...), beside {@code resolution}
 */
public record VideoRequest(
        String model,
        String prompt,
        String negativePrompt,
        String imgUrl,
        String audioUrl,
        List<String> referenceUrls,
        String firstFrameUrl,
        String lastFrameUrl,
        String size,
        String resolution,
        Integer duration,
        Long seed,
        Boolean promptExtend,
        Boolean watermark,
        String shotType,
        Boolean audio,
        List<Media> media,
        String ratio) {

    /**
     * One {@code input.media[]} item as sent: {@code type} is kept as text so that a server can name an unknown one.
     *
     * @param type the wire name ({@code first_frame}, {@code reference_video}, ...; see
     *     {@link dev.wanhybrid.cloud.catalog.MediaType})
     * @param url http(s), {@code oss://}, or for images a {@code data:} URL
     */
    public record Media(String type, String url) {
        public static Media of(dev.wanhybrid.cloud.catalog.MediaType type, String url) {
            return new Media(type.wire(), url);
        }
    }

    public VideoRequest {
        referenceUrls = referenceUrls == null ? null : List.copyOf(referenceUrls);
        media = media == null ? null : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(media));
    }

    /** A legacy-protocol request (every field but {@code media} and {@code ratio}). */
    public VideoRequest(String model, String prompt, String negativePrompt, String imgUrl, String audioUrl,
            List<String> referenceUrls, String firstFrameUrl, String lastFrameUrl, String size, String resolution,
            Integer duration, Long seed, Boolean promptExtend, Boolean watermark, String shotType, Boolean audio) {
        this(model, prompt, negativePrompt, imgUrl, audioUrl, referenceUrls, firstFrameUrl, lastFrameUrl, size,
                resolution, duration, seed, promptExtend, watermark, shotType, audio, null, null);
    }

    public static Builder builder(String model) {
        return new Builder(model);
    }

    /**
     * Reads a DashScope create body ({@code {"model", "input", "parameters"}}) leniently, ignoring unknown fields as
     * the service does; for servers that speak the protocol (the simulator, a compatible facade).
     *
     * @throws IllegalArgumentException when a field has the wrong JSON type
     */
    public static VideoRequest fromCreateBody(tools.jackson.databind.JsonNode body) {
        try {
            return dev.wanhybrid.cloud.internal.Wire.readCreateBody(body);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** A copy with another model id (used for regional spellings). */
    public VideoRequest withModel(String otherModel) {
        return new VideoRequest(otherModel, prompt, negativePrompt, imgUrl, audioUrl, referenceUrls, firstFrameUrl,
                lastFrameUrl, size, resolution, duration, seed, promptExtend, watermark, shotType, audio, media, ratio);
    }

    /** Builds a {@link VideoRequest} one field at a time. */
    public static final class Builder {
        private final String model;
        private String prompt;
        private String negativePrompt;
        private String imgUrl;
        private String audioUrl;
        private List<String> referenceUrls;
        private String firstFrameUrl;
        private String lastFrameUrl;
        private String size;
        private String resolution;
        private Integer duration;
        private Long seed;
        private Boolean promptExtend;
        private Boolean watermark;
        private String shotType;
        private Boolean audio;
        private List<Media> media;
        private String ratio;

        private Builder(String model) {
            this.model = model;
        }

        public Builder prompt(String value) { this.prompt = value; return this; }
        public Builder negativePrompt(String value) { this.negativePrompt = value; return this; }
        public Builder imgUrl(String value) { this.imgUrl = value; return this; }
        public Builder audioUrl(String value) { this.audioUrl = value; return this; }
        public Builder referenceUrls(List<String> value) { this.referenceUrls = value; return this; }
        public Builder firstFrameUrl(String value) { this.firstFrameUrl = value; return this; }
        public Builder lastFrameUrl(String value) { this.lastFrameUrl = value; return this; }
        public Builder size(String value) { this.size = value; return this; }
        public Builder resolution(String value) { this.resolution = value; return this; }
        public Builder duration(Integer value) { this.duration = value; return this; }
        public Builder seed(Long value) { this.seed = value; return this; }
        public Builder promptExtend(Boolean value) { this.promptExtend = value; return this; }
        public Builder watermark(Boolean value) { this.watermark = value; return this; }
        public Builder shotType(String value) { this.shotType = value; return this; }
        public Builder audio(Boolean value) { this.audio = value; return this; }
        public Builder media(List<Media> value) { this.media = value; return this; }
        public Builder ratio(String value) { this.ratio = value; return this; }

        public VideoRequest build() {
            return new VideoRequest(model, prompt, negativePrompt, imgUrl, audioUrl, referenceUrls, firstFrameUrl,
                    lastFrameUrl, size, resolution, duration, seed, promptExtend, watermark, shotType, audio, media,
                    ratio);
        }
    }
}

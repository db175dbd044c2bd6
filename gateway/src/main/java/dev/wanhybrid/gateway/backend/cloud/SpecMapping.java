package dev.wanhybrid.gateway.backend.cloud;

import dev.wanhybrid.cloud.VideoRequest;
import dev.wanhybrid.cloud.catalog.AudioSupport;
import dev.wanhybrid.cloud.catalog.CloudModel;
import dev.wanhybrid.cloud.catalog.ModelCatalog;
import dev.wanhybrid.cloud.catalog.MediaType;
import dev.wanhybrid.cloud.catalog.ModelKind;
import dev.wanhybrid.gateway.backend.BackendException;
import dev.wanhybrid.gateway.backend.BackendTask;
import dev.wanhybrid.gateway.generation.AudioSpec;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.VideoSize;

/** Turns the gateway's protocol-neutral request into DashScope's, for the model the router chose. */
final class SpecMapping {

    private SpecMapping() {}

    static VideoRequest toRequest(BackendTask task, CloudModel model, ModelCatalog catalog, UploadedImages uploads)
            throws BackendException {
        GenerationSpec spec = task.spec();
        VideoRequest.Builder b = VideoRequest.builder(model.id())
                .prompt(spec.prompt())
                .negativePrompt(spec.negativePrompt())
                .duration(spec.seconds() > 0 ? spec.seconds() : null)
                .seed(spec.seed() == null ? null : Math.floorMod(spec.seed(), 2_147_483_648L))
                // The caller's prompt is the contract; DashScope's rewriting would change what was asked for.
                .promptExtend(false)
                .watermark(false);
        if (model.usesMedia()) {
            mediaShape(b, spec, model, catalog, uploads);
        } else {
            legacyShape(b, spec, model, catalog, uploads);
        }
        AudioSpec audio = spec.audio();
        if (audio instanceof AudioSpec.FromUrl fromUrl) {
            b.audioUrl(fromUrl.url().toString());
        }
        if (model.audio() == AudioSupport.OPTIONAL) {
            b.audio(audio.wantsAudio());
        } else if (model.audio() == AudioSupport.NONE && audio.wantsAudio()) {
            b.audio(true); // refused by validation with the field named: this model is silent
        }
        return b.build();
    }

    /** The new protocol: the image is a {@code first_frame} item; the size is a tier and, from text, a ratio. */
    private static void mediaShape(VideoRequest.Builder b, GenerationSpec spec, CloudModel model,
            ModelCatalog catalog, UploadedImages uploads) throws BackendException {
        if (!spec.media().isEmpty()) {
            // The caller's typed inputs go as they are (public http(s) URLs, checked at the edge).
            b.media(spec.media().stream().map(m -> VideoRequest.Media.of(m.type(), m.url().toString())).toList());
        } else if (spec.inputImage() != null) {
            b.media(java.util.List.of(VideoRequest.Media.of(MediaType.FIRST_FRAME,
                    imageUrl(spec.inputImage(), uploads))));
        }
        VideoSize size = spec.size();
        if (size != null) {
            b.resolution(catalog.tierOf(size.width() + "*" + size.height()).orElse(size.shortSide() + "P"));
            boolean framed = spec.inputImage() != null || spec.media().stream().anyMatch(m ->
                    m.type() == MediaType.FIRST_FRAME || m.type() == MediaType.FIRST_CLIP || m.type() == MediaType.VIDEO);
            if (!framed && !model.ratios().isEmpty()) {
                // A first frame or an input video fixes the aspect itself; otherwise the listed ratio nearest the
                // size's.
                double aspect = (double) size.width() / size.height();
                b.ratio(model.ratios().stream().min(java.util.Comparator.comparingDouble(
                        r -> Math.abs(Math.log(ratioValue(r) / aspect)))).orElseThrow());
            }
        }
    }

    private static double ratioValue(String ratio) {
        String[] parts = ratio.split(":");
        return Double.parseDouble(parts[0]) / Double.parseDouble(parts[1]);
    }

    private static void legacyShape(VideoRequest.Builder b, GenerationSpec spec, CloudModel model,
            ModelCatalog catalog, UploadedImages uploads) throws BackendException {
        if (spec.inputImage() != null) {
            b.imgUrl(imageUrl(spec.inputImage(), uploads));
        }
        VideoSize size = spec.size();
        if (size != null) {
            if (model.kind() == ModelKind.I2V || model.kind() == ModelKind.KF2V) {
                // The tier names the size class: 960*960 and 1088*832 are 720P, though their short sides differ.
                String sizeText = size.width() + "*" + size.height();
                b.resolution(catalog.tierOf(sizeText).orElse(size.shortSide() + "P"));
            } else {
                b.size(size.width() + "*" + size.height());
            }
        }
    }

    /** A public http(s) URL goes as it is; an upload goes inline as a data: URL, which DashScope accepts. */
    private static String imageUrl(java.net.URI image, UploadedImages uploads) throws BackendException {
        String scheme = image.getScheme();
        if ("http".equals(scheme) || "https".equals(scheme)) {
            return image.toString();
        }
        if ("upload".equals(scheme)) {
            try {
                return UploadedImages.dataUrl(uploads.read(image.getSchemeSpecificPart()));
            } catch (java.io.IOException e) {
                throw new BackendException(BackendException.Kind.INVALID_INPUT, "InvalidURL",
                        "the uploaded input image could not be read: " + e.getMessage());
            }
        }
        throw new BackendException(BackendException.Kind.INVALID_INPUT, "InvalidURL",
                "the cloud backend takes the input image as an http(s) URL or an upload, not " + scheme + ":");
    }
}

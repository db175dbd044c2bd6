package dev.wanhybrid.gateway.backend.cloud;

import dev.wanhybrid.cloud.VideoRequest;
import dev.wanhybrid.cloud.catalog.AudioSupport;
import dev.wanhybrid.cloud.catalog.CloudModel;
import dev.wanhybrid.cloud.catalog.ModelCatalog;
import dev.wanhybrid.cloud.catalog.ModelKind;
import dev.wanhybrid.gateway.backend.BackendException;
import dev.wanhybrid.gateway.backend.BackendTask;
import dev.wanhybrid.gateway.generation.AudioSpec;
import dev.wanhybrid.gateway.generation.GenerationSpec;
import dev.wanhybrid.gateway.generation.VideoSize;

/** Turns the gateway's protocol-neutral request into DashScope's, for the model the router chose. */
final class SpecMapping {

    private SpecMapping() {}

    static VideoRequest toRequest(BackendTask task, CloudModel model, ModelCatalog catalog) throws BackendException {
        GenerationSpec spec = task.spec();
        VideoRequest.Builder b = VideoRequest.builder(model.id())
                .prompt(spec.prompt())
                .negativePrompt(spec.negativePrompt())
                .duration(spec.seconds() > 0 ? spec.seconds() : null)
                .seed(spec.seed() == null ? null : Math.floorMod(spec.seed(), 2_147_483_648L))
                // The caller's prompt is the contract; DashScope's rewriting would change what was asked for.
                .promptExtend(false)
                .watermark(false);
        if (spec.inputImage() != null) {
            String scheme = spec.inputImage().getScheme();
            if (scheme == null || !(scheme.equals("http") || scheme.equals("https"))) {
                throw new BackendException(BackendException.Kind.INVALID_INPUT, "InvalidURL",
                        "the cloud backend needs the input image as a public http(s) URL; an uploaded image ("
                                + scheme + ":) can only run locally");
            }
            b.imgUrl(spec.inputImage().toString());
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
}

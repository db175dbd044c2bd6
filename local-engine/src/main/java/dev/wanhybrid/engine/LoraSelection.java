package dev.wanhybrid.engine;

/**
 * One LoRA a request asks for, by its name in the engine's LoRA registry, with the scale its update is merged at.
 *
 * @param name registry name (see {@link WanEngines#load(java.nio.file.Path, EngineOptions, java.util.Map)})
 * @param scale merge scale: {@code W' = W + scale * alpha/rank * B @ A}; 1.0 is the LoRA as trained
 */
public record LoraSelection(String name, double scale) {

    public LoraSelection {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a LoRA needs a name");
        }
        if (Double.isNaN(scale) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("LoRA scale must be a finite number, was " + scale);
        }
    }
}

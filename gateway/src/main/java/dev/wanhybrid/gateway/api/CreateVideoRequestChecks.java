package dev.wanhybrid.gateway.api;

import dev.wanhybrid.cost.Backend;
import dev.wanhybrid.gateway.catalog.ModelCatalog;
import dev.wanhybrid.gateway.generation.AudioSpec;
import dev.wanhybrid.gateway.net.InputUrlPolicy;
import dev.wanhybrid.gateway.web.ApiError;
import dev.wanhybrid.gateway.web.ApiException;
import java.net.URI;
import java.util.List;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;

/**
 * What a well-formed create request must still pass on this gateway: every URL it names
 * ({@code input_reference.image_url}, {@code audio.url}, {@code webhook_url}, in that order) against the input URL
 * policy, and its {@code lora} against the LoRAs some catalog model applies (the in-JVM engine's registry or a
 * remote engine's {@code loras}). Each failure is a 400 naming the field.
 */
final class CreateVideoRequestChecks {

    private final ObjectProvider<InputUrlPolicy> urlPolicy;
    private final ObjectProvider<ModelCatalog> catalog;

    CreateVideoRequestChecks(ObjectProvider<InputUrlPolicy> urlPolicy, ObjectProvider<ModelCatalog> catalog) {
        this.urlPolicy = urlPolicy;
        this.catalog = catalog;
    }

    void check(CreateVideoRequest request) {
        checkUrl("input_reference.image_url", request.imageUrl());
        if (request.audio() instanceof AudioSpec.FromUrl(URI url)) {
            checkUrl("audio.url", url);
        }
        checkUrl("webhook_url", request.webhookUrl());
        for (int i = 0; i < request.media().size(); i++) {
            checkUrl("media[" + i + "].url", request.media().get(i).url());
        }
        checkLora(request.lora());
        checkBackend(request.routing() == null ? null : request.routing().backend());
    }

    /**
     * A pin must name a backend here: {@code local}, {@code cloud} or a configured remote engine (the catalog's
     * backends); the router makes the same check for callers that reach it another way.
     */
    private void checkBackend(String backend) {
        if (backend == null || Backend.LOCAL.is(backend) || Backend.CLOUD.is(backend)) {
            return;
        }
        ModelCatalog models = catalog.getIfAvailable();
        Set<String> known = models == null ? Set.of() : models.backends();
        if (!known.contains(backend)) {
            List<String> remote = known.stream().filter(b -> !Backend.LOCAL.is(b) && !Backend.CLOUD.is(b)).toList();
            throw ApiException.invalid("routing.backend", "invalid_value", "Unknown backend '"
                    + ApiError.printable(backend) + "'. routing.backend must be 'auto', 'local', 'cloud'"
                    + (remote.isEmpty() ? "" : " or the name of a remote engine or cloud source: "
                            + String.join(", ", remote)) + ".");
        }
    }

    private void checkUrl(String param, URI url) {
        if (url == null) {
            return;
        }
        InputUrlPolicy policy = urlPolicy.getIfAvailable();
        String rejection = policy == null ? null : policy.rejection(param, url);
        if (rejection != null) {
            throw ApiException.invalid(param, "url_not_allowed", rejection);
        }
    }

    /**
     * A LoRA must be one some model here applies; which model (and whether it fits the rest of the request) is the
     * router's question.
     */
    private void checkLora(String lora) {
        if (lora == null) {
            return;
        }
        ModelCatalog models = catalog.getIfAvailable();
        Set<String> known = models == null ? Set.of() : models.loras();
        if (!known.contains(lora)) {
            throw ApiException.invalid("lora", "unknown_lora", "Unknown LoRA '" + ApiError.printable(lora) + "'. "
                    + (known.isEmpty() ? "This gateway has no LoRAs configured."
                            : "Configured LoRAs: " + String.join(", ", known) + "."));
        }
    }
}

package dev.wanhybrid.gateway.config;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import java.util.List;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document's header: what the API is, how callers authenticate, and a relative server URL, so the
 * document published in {@code docs/openapi.json} is the same on every host and port.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    static final String BEARER = "tenantApiKey";

    @Bean
    OpenAPI gatewayOpenApi() {
        return new OpenAPI()
                .info(new Info().title("Wan Hybrid Gateway API").version("v1")
                        .description("One video generation API that routes every request to local Wan 2.1/2.2 GPUs or "
                                + "to the Wan 2.5/2.6 cloud API and explains why. /v1/videos follows the OpenAI Videos "
                                + "shape with extension fields (routing, audio, seed, negative_prompt, lora); "
                                + "/api/v1 is a DashScope-compatible facade. Errors use the OpenAI error envelope "
                                + "on /v1 and DashScope's {code, message, request_id} on /api/v1.")
                        .license(new License().name("Apache-2.0")
                                .url("https://www.apache.org/licenses/LICENSE-2.0")))
                .servers(List.of(new Server().url("/").description("this gateway")))
                .components(new Components().addSecuritySchemes(BEARER, new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP).scheme("bearer")
                        .description("The tenant's API key (admin endpoints take the admin token)")))
                .addSecurityItem(new SecurityRequirement().addList(BEARER));
    }

    /** Only the public APIs belong in the reference: not the ops page, not error or browser endpoints. */
    @Bean
    OpenApiCustomizer publicApiPathsOnly() {
        return openApi -> {
            if (openApi.getPaths() != null) {
                openApi.getPaths().keySet().removeIf(path -> !path.startsWith("/v1/") && !path.startsWith("/api/v1/"));
            }
        };
    }

    /**
     * Last of all customizers: declares every tag an operation uses in the document's global {@code tags} (Spectral's
     * {@code operation-tag-defined}) and drops the schema springdoc derives from {@code StreamingResponseBody}
     * return types, which the customizers replace with binary content, when nothing refers to it any more.
     */
    @Bean
    @org.springframework.core.annotation.Order(org.springframework.core.Ordered.LOWEST_PRECEDENCE)
    OpenApiCustomizer declaredTagsAndNoUnusedSchemas() {
        return openApi -> {
            if (openApi.getPaths() == null) {
                return;
            }
            java.util.SortedSet<String> used = new java.util.TreeSet<>();
            openApi.getPaths().values().forEach(item -> item.readOperations().forEach(operation -> {
                if (operation.getTags() != null) {
                    used.addAll(operation.getTags());
                }
            }));
            openApi.setTags(used.stream().map(name -> new io.swagger.v3.oas.models.tags.Tag().name(name)).toList());
            if (openApi.getComponents() != null && openApi.getComponents().getSchemas() != null) {
                String paths = io.swagger.v3.core.util.Json31.pretty(openApi.getPaths());
                openApi.getComponents().getSchemas().keySet().removeIf(name -> name.equals("StreamingResponseBody")
                        && !paths.contains("#/components/schemas/" + name));
            }
        };
    }
}

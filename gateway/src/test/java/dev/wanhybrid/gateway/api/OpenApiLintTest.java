package dev.wanhybrid.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The published API reference ({@code docs/openapi.json}, kept equal to the live document by
 * {@code OpenApiDocumentIT}) is valid OpenAPI 3 by swagger-parser's validator, every reference resolving, and
 * lists the whole Videos surface.
 */
class OpenApiLintTest {

    private static final Path PUBLISHED = Path.of("..", "docs", "openapi.json");

    @Test
    void thePublishedDocumentValidatesWithoutAMessage() throws Exception {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        options.setValidateInternalRefs(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(Files.readString(PUBLISHED), null, options);
        assertThat(result.getMessages()).isEmpty();
        assertThat(result.getOpenAPI().getPaths()).containsKeys("/v1/videos", "/v1/videos/{id}",
                "/v1/videos/{id}/content", "/v1/videos/{id}/remix", "/v1/videos/extensions", "/v1/videos/edits",
                "/v1/videos/characters", "/v1/videos/characters/{characterId}");
    }

    /**
     * Complete, not only valid: every body-taking operation has its request body, every operation answers its
     * errors in its protocol's envelope (including 401), and no parameter is left untyped.
     */
    @Test
    void everyOperationDocumentsItsBodyErrorsAndParameterTypes() throws Exception {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        io.swagger.v3.oas.models.OpenAPI api = new OpenAPIV3Parser().readContents(Files.readString(PUBLISHED), null,
                options).getOpenAPI();
        java.util.List<String> gaps = new java.util.ArrayList<>();
        api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) -> {
            String where = method + " " + path;
            boolean bodyless = path.endsWith("/cancel");
            if ((method == io.swagger.v3.oas.models.PathItem.HttpMethod.POST
                    || method == io.swagger.v3.oas.models.PathItem.HttpMethod.PUT) && !bodyless
                    && operation.getRequestBody() == null) {
                gaps.add(where + ": no request body");
            }
            String envelope = path.startsWith("/api/v1/") ? "#/components/schemas/DashScopeError"
                    : "#/components/schemas/ErrorEnvelope";
            if (!operation.getResponses().containsKey("401")) {
                gaps.add(where + ": no 401");
            }
            operation.getResponses().forEach((status, response) -> {
                if (status.startsWith("4") || status.startsWith("5")) {
                    boolean inEnvelope = response.getContent() != null && response.getContent().values().stream()
                            .anyMatch(media -> envelope.equals(media.getSchema().get$ref()));
                    if (!inEnvelope) {
                        gaps.add(where + ": " + status + " not in " + envelope);
                    }
                }
            });
            if (operation.getParameters() != null) {
                operation.getParameters().stream().filter(p -> p.getSchema() == null
                        || (p.getSchema().getTypes() == null && p.getSchema().getType() == null))
                        .forEach(p -> gaps.add(where + ": parameter " + p.getName() + " untyped"));
            }
        }));
        assertThat(gaps).isEmpty();
        assertThat(api.getComponents().getSecuritySchemes()).isNotEmpty();
        assertThat(api.getComponents().getSchemas().get("CreateVideoRequest").getProperties())
                .containsKeys(CreateVideoRequestParser.TOP_LEVEL.toArray(String[]::new));
        assertThat(api.getComponents().getSchemas().get("VideoObject").getProperties()).containsKey("route");
    }

    @Test
    void theValidatorReportsABrokenDocument() {
        String broken = """
                {"openapi": "3.0.1", "info": {"title": "x", "version": "1"},
                 "paths": {"/v": {"get": {"responses": {"200": {"description": "OK", "content": {"application/json":
                   {"schema": {"$ref": "#/components/schemas/Missing"}}}}}}}}}""";
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        options.setValidateInternalRefs(true);
        assertThat(new OpenAPIV3Parser().readContents(broken, null, options).getMessages()).isNotEmpty();
    }
}

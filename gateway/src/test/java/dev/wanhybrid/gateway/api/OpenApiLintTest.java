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

package dev.wanhybrid.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.gateway.e2e.support.ApiTestBase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The API reference in {@code docs/openapi.json} is the document the running gateway generates. When an endpoint
 * changes, regenerate it with {@code ./mvnw -pl gateway verify -Dit.test=OpenApiDocumentIT -Dopenapi.update=true}.
 */
class OpenApiDocumentIT extends ApiTestBase {

    private static final Path PUBLISHED = Path.of("..", "docs", "openapi.json");

    @LocalServerPort
    int port;

    @Test
    void thePublishedApiReferenceIsWhatTheGatewayGenerates() throws Exception {
        String generated;
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v3/api-docs")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            generated = response.body();
        }
        JsonMapper json = JsonMapper.builder().build();
        JsonNode live = json.readTree(generated);
        assertThat(live.path("info").path("title").asString()).isEqualTo("Wan Hybrid Gateway API");
        assertThat(live.path("paths").has("/v1/videos")).isTrue();
        assertThat(live.path("paths").has("/api/v1/services/aigc/video-generation/video-synthesis")).isTrue();

        String pretty = json.writerWithDefaultPrettyPrinter().writeValueAsString(live) + "\n";
        if (Boolean.getBoolean("openapi.update")) {
            Files.writeString(PUBLISHED, pretty, StandardCharsets.UTF_8);
        }
        assertThat(Files.exists(PUBLISHED)).as("%s exists (generate it with -Dopenapi.update=true)", PUBLISHED)
                .isTrue();
        assertThat(json.readTree(Files.readString(PUBLISHED)))
                .as("docs/openapi.json is out of date: regenerate it with -Dopenapi.update=true")
                .isEqualTo(live);
    }
}

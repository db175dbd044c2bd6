package dev.wanhybrid.gateway.e2e.bench;

import java.util.Map;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * The submit benchmarks' baselines, behind the same filters as {@code /v1/videos} (API-key authentication,
 * per-tenant rate limit): {@code POST /v1/bench/bare} reads the same JSON body and answers at once, with no routing
 * and no database; {@code GET /v1/bench/ping} answers a fixed object. Registered by this initializer rather than
 * as an annotated class, so component scanning never adds them to other contexts; the out-of-process benchmark
 * ({@code gateway/bench/submit-wrk.sh}) puts only this class beside the executable jar, with a
 * {@code META-INF/spring.factories} that names it as an initializer. Both name their content type: without it
 * Spring's functional response parses the servlet's missing one and throws and catches an exception per request,
 * which made the baselines slower than they need be.
 */
public final class BareEndpoints implements ApplicationContextInitializer<GenericApplicationContext> {

    @Override
    public void initialize(GenericApplicationContext context) {
        context.registerBean("benchBareEndpoints", RouterFunction.class, BareEndpoints::routes);
    }

    static RouterFunction<ServerResponse> routes() {
        return RouterFunctions.route()
                .POST("/v1/bench/bare", request -> {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> body = request.body(Map.class);
                    return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).body(Map.of("id", "bare",
                            "object", "video", "status", "queued", "prompt", String.valueOf(body.get("prompt"))));
                })
                .GET("/v1/bench/ping", request -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON)
                        .body(Map.of("object", "ping")))
                .build();
    }
}

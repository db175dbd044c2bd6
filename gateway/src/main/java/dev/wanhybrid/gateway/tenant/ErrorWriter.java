package dev.wanhybrid.gateway.tenant;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/** Writes the OpenAI error envelope from a servlet filter, where no controller advice runs. */
final class ErrorWriter {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ErrorWriter() {}

    static void write(HttpServletResponse response, int status, String type, String code, String message)
            throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", message);
        body.put("type", type);
        body.put("param", null);
        body.put("code", code);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(JSON.writeValueAsString(Map.of("error", body)));
    }
}

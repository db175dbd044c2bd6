package dev.wanhybrid.gateway.dashscope;

import static dev.wanhybrid.gateway.web.OpenApiSchemas.bool;
import static dev.wanhybrid.gateway.web.OpenApiSchemas.enumeration;
import static dev.wanhybrid.gateway.web.OpenApiSchemas.integer;
import static dev.wanhybrid.gateway.web.OpenApiSchemas.jsonResponse;
import static dev.wanhybrid.gateway.web.OpenApiSchemas.object;
import static dev.wanhybrid.gateway.web.OpenApiSchemas.ordered;
import static dev.wanhybrid.gateway.web.OpenApiSchemas.ref;
import static dev.wanhybrid.gateway.web.OpenApiSchemas.requestBody;
import static dev.wanhybrid.gateway.web.OpenApiSchemas.sortResponses;
import static dev.wanhybrid.gateway.web.OpenApiSchemas.string;
import static dev.wanhybrid.gateway.web.OpenApiSchemas.typed;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import java.util.Map;
import java.util.TreeMap;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.stereotype.Component;

/**
 * Completes springdoc's document for the DashScope facade ({@code /api/v1}): the create body, built from
 * {@link DashScopeBodyChecks}' own field and type tables so it cannot drift from what is checked, the answers'
 * shapes, the {@code X-DashScope-Async} header, and every error status with DashScope's
 * {@code {request_id, code, message}}.
 */
@Component
class DashScopeApiDocumentation implements OpenApiCustomizer {

    private static final String ERROR = "DashScopeError";
    private static final String TASK_STATUS = "DashScopeTaskStatus";

    @Override
    public void customise(OpenAPI openApi) {
        openApi.getComponents().addSchemas(ERROR, object(ordered("request_id", string(), "code", string(),
                "message", string()), "request_id", "code", "message")
                .description("DashScope's error body; message starts with the field at fault"));
        openApi.getComponents().addSchemas(TASK_STATUS,
                enumeration("PENDING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELED", "UNKNOWN"));
        openApi.getComponents().addSchemas("DashScopeCreateRequest", object(ordered(
                "model", string().maxLength(64).description("A Wan cloud model, wan2.6-t2v"),
                "input", object(fields(DashScopeBodyChecks.INPUT)),
                "parameters", object(fields(DashScopeBodyChecks.PARAMETERS))), "model", "input"));
        openApi.getComponents().addSchemas("DashScopeCreateResponse", object(ordered("request_id", string(),
                "output", object(ordered("task_id", string(), "task_status", ref(TASK_STATUS)),
                        "task_id", "task_status")), "request_id", "output"));
        openApi.getComponents().addSchemas("DashScopeCancelResponse",
                object(ordered("request_id", string()), "request_id"));
        openApi.getComponents().addSchemas("DashScopeTaskResponse", object(ordered("request_id", string(),
                "output", object(ordered("task_id", string(), "task_status", ref(TASK_STATUS),
                        "submit_time", string(), "scheduled_time", string(), "end_time", string(),
                        "video_url", string().format("uri"), "orig_prompt", string(), "code", string(),
                        "message", string(), "backend", string().description("Gateway extension: where it ran"),
                        "model", string(), "route_reason", string().description("Gateway extension: why"),
                        "waiting_for_backend", string(), "next_attempt_time", string(),
                        "waiting_for_budget", string().description("Gateway extension: the spent budget cap a"
                                + " budget_queued task waits for"), "budget_resets_time", string(),
                        "budget_gives_up_time", string(), "budget_wait_bound", string()), "task_id", "task_status"),
                "usage", object(ordered("duration", integer(), "output_video_duration", integer(),
                        "input_video_duration", integer(), "video_count", integer(), "size", string(),
                        "SR", integer()))), "request_id", "output"));
        if (openApi.getPaths() == null) {
            return;
        }
        openApi.getPaths().forEach((path, item) -> {
            if (!path.startsWith("/api/v1/")) {
                return;
            }
            item.readOperationsMap().forEach((method, operation) -> {
                if (path.endsWith("/video-synthesis")) {
                    operation.requestBody(requestBody(Map.of("application/json", "DashScopeCreateRequest")));
                    operation.getResponses().put("200", jsonResponse("The task was accepted",
                            "DashScopeCreateResponse"));
                    errors(operation, 400, 404, 503);
                } else {
                    operation.getResponses().put("200", jsonResponse("The task (UNKNOWN when there is none)",
                            "DashScopeTaskResponse"));
                    errors(operation, 400);
                }
                if (path.endsWith("/cancel")) {
                    operation.getResponses().put("200", jsonResponse("The task was canceled",
                            "DashScopeCancelResponse"));
                }
                if (operation.getParameters() != null) {
                    for (Parameter parameter : operation.getParameters()) {
                        if (parameter.getName().equals("X-DashScope-Async")) {
                            parameter.required(true).schema(enumeration("enable"))
                                    .description("Only asynchronous calls are supported");
                        } else if (parameter.getName().equals("id")) {
                            parameter.schema(string().pattern("^[A-Za-z0-9_-]{1,64}$")).description("A task id");
                        }
                    }
                }
                errors(operation, 401, 429, 500);
                operation.tags(java.util.List.of("DashScope"));
                operation.operationId(path.endsWith("/cancel") ? "dashScopeCancelTask"
                        : path.startsWith("/api/v1/tasks/") ? "dashScopeQueryTask"
                        : path.contains("/image2video/") ? "dashScopeCreateImageToVideo" : "dashScopeCreateTextToVideo");
            });
        });
    }

    private static Map<String, Schema<?>> fields(Map<String, DashScopeBodyChecks.Type> types) {
        Map<String, Schema<?>> properties = new TreeMap<>();
        types.forEach((name, type) -> properties.put(name, switch (type) {
            case STRING -> string();
            case INTEGER -> integer();
            case BOOLEAN -> bool();
            case STRING_ARRAY -> typed("array").items(string());
            case MEDIA_LIST -> typed("array").items(object(ordered("type", string(), "url", string()),
                    "type", "url"));
        }));
        return properties;
    }

    private static void errors(Operation operation, int... statuses) {
        for (int status : statuses) {
            operation.getResponses().putIfAbsent(String.valueOf(status), jsonResponse(switch (status) {
                case 400 -> "InvalidParameter (the message names the field), or a task that cannot be canceled";
                case 401 -> "InvalidApiKey";
                case 404 -> "ModelNotFound";
                case 429 -> "Throttling; Retry-After says when to retry";
                case 503 -> "No backend can take the task now; Retry-After says when to retry";
                default -> "InternalError";
            }, ERROR));
        }
        sortResponses(operation);
    }
}

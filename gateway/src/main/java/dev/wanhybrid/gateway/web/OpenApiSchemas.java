package dev.wanhybrid.gateway.web;

import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Small builders for the OpenAPI schemas that the API documentation customizers write by hand (for bodies their
 * controllers read raw, which springdoc cannot see), in OpenAPI 3.1's typing.
 */
public final class OpenApiSchemas {

    private OpenApiSchemas() {
    }

    public static Schema<Object> object(Map<String, Schema<?>> properties, String... required) {
        Schema<Object> schema = typed("object");
        new LinkedHashMap<>(properties).forEach(schema::addProperty);
        if (required.length > 0) {
            schema.required(new ArrayList<>(List.of(required)));
        }
        return schema;
    }

    public static Map<String, Schema<?>> ordered(Object... nameThenSchema) {
        Map<String, Schema<?>> properties = new LinkedHashMap<>();
        for (int i = 0; i < nameThenSchema.length; i += 2) {
            properties.put((String) nameThenSchema[i], (Schema<?>) nameThenSchema[i + 1]);
        }
        return properties;
    }

    public static Schema<Object> typed(String type) {
        Schema<Object> schema = new Schema<>();
        schema.addType(type);
        return schema;
    }

    public static Schema<Object> ref(String name) {
        return new Schema<>().$ref("#/components/schemas/" + name);
    }

    public static Schema<Object> string() {
        return typed("string");
    }

    public static Schema<Object> integer() {
        return typed("integer");
    }

    public static Schema<Object> bool() {
        return typed("boolean");
    }

    public static Schema<Object> nullable(Schema<Object> schema) {
        schema.addType("null");
        return schema;
    }

    public static Schema<Object> binary(String description) {
        return string().format("binary").description(description);
    }

    public static Schema<Object> enumeration(String... values) {
        Schema<Object> schema = string();
        schema.setEnum(new ArrayList<>(List.of((Object[]) values)));
        return schema;
    }

    /** A JSON answer whose body is the named component schema. */
    public static ApiResponse jsonResponse(String description, String schemaName) {
        return new ApiResponse().description(description)
                .content(new Content().addMediaType("application/json", new MediaType().schema(ref(schemaName))));
    }

    /** A required request body: each media type's schema is the named component schema. */
    public static RequestBody requestBody(Map<String, String> schemaByMediaType) {
        Content content = new Content();
        schemaByMediaType.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry ->
                content.addMediaType(entry.getKey(), new MediaType().schema(ref(entry.getValue()))));
        return new RequestBody().required(true).content(content);
    }

    /** Puts an operation's answers in status order, so the published document reads (and diffs) the same way. */
    public static void sortResponses(Operation operation) {
        ApiResponses sorted = new ApiResponses();
        new TreeSet<>(operation.getResponses().keySet())
                .forEach(code -> sorted.addApiResponse(code, operation.getResponses().get(code)));
        operation.responses(sorted);
    }
}

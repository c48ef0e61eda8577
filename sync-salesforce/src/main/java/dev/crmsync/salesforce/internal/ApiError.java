package dev.crmsync.salesforce.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One error from a Salesforce response body. Salesforce has three shapes, all accepted:
 * whole-request errors {@code [{"message","errorCode","fields"}]} (sometimes a single object),
 * per-record errors {@code {"statusCode","message","fields"}}, and OAuth errors
 * {@code {"error","error_description"}}. A body that is not JSON at all (an HTML page from an
 * edge proxy) yields no errors.
 *
 * @param code the error or status code, e.g. {@code INVALID_SESSION_ID}; empty if none was given
 * @param message the message; empty if none was given
 * @param fields the fields blamed
 */
public record ApiError(String code, String message, List<String> fields) {

    /** Checks nulls, copies the list. */
    public ApiError {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
        fields = List.copyOf(fields);
    }

    /**
     * Parses an error body leniently.
     *
     * @param json the mapper
     * @param body the body bytes, may be empty or not JSON
     * @return the errors found, possibly none
     */
    public static List<ApiError> parse(ObjectMapper json, byte[] body) {
        if (body == null || body.length == 0) {
            return List.of();
        }
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (IOException e) {
            return List.of();
        }
        return fromNode(root);
    }

    /**
     * @param node an error array, a single error object, or anything else
     * @return the errors it holds
     */
    public static List<ApiError> fromNode(JsonNode node) {
        List<ApiError> out = new ArrayList<>();
        if (node == null) {
            return out;
        }
        if (node.isArray()) {
            for (JsonNode e : node) {
                one(e, out);
            }
        } else {
            one(node, out);
        }
        return out;
    }

    private static void one(JsonNode e, List<ApiError> out) {
        if (e == null || !e.isObject()) {
            return;
        }
        String code = text(e, "errorCode");
        if (code.isEmpty()) {
            code = text(e, "statusCode");
        }
        if (code.isEmpty()) {
            code = text(e, "error");
        }
        String message = text(e, "message");
        if (message.isEmpty()) {
            message = text(e, "error_description");
        }
        if (code.isEmpty() && message.isEmpty()) {
            return;
        }
        List<String> fields = new ArrayList<>();
        JsonNode f = e.get("fields");
        if (f != null && f.isArray()) {
            f.forEach(x -> {
                if (x.isTextual()) {
                    fields.add(x.asText());
                }
            });
        }
        out.add(new ApiError(code, message, fields));
    }

    private static String text(JsonNode e, String name) {
        JsonNode v = e.get(name);
        return v != null && v.isValueNode() && !v.isNull() ? v.asText() : "";
    }
}

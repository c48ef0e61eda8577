package dev.crmsync.salesforce.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiErrorTest {

    private final ObjectMapper json = new ObjectMapper();

    private List<ApiError> parse(String body) {
        return ApiError.parse(json, body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void wholeRequestErrorArray() {
        assertEquals(List.of(new ApiError("INVALID_SESSION_ID", "Session expired or invalid", List.of())),
                parse("[{\"message\":\"Session expired or invalid\",\"errorCode\":\"INVALID_SESSION_ID\"}]"));
    }

    @Test
    void singleObjectWithFields() {
        assertEquals(List.of(new ApiError("REQUIRED_FIELD_MISSING", "Required fields are missing: [Name]", List.of("Name"))),
                parse("{\"message\":\"Required fields are missing: [Name]\",\"errorCode\":\"REQUIRED_FIELD_MISSING\","
                        + "\"fields\":[\"Name\"]}"));
    }

    @Test
    void perRecordStatusCode() {
        assertEquals(List.of(new ApiError("DUPLICATES_DETECTED", "Use one of these records?", List.of())),
                parse("[{\"statusCode\":\"DUPLICATES_DETECTED\",\"message\":\"Use one of these records?\",\"fields\":[]}]"));
    }

    @Test
    void oauthErrorShape() {
        assertEquals(List.of(new ApiError("invalid_grant", "expired access/refresh token", List.of())),
                parse("{\"error\":\"invalid_grant\",\"error_description\":\"expired access/refresh token\"}"));
    }

    @Test
    void htmlOrEmptyBodyHasNoErrors() {
        assertEquals(List.of(), parse("<html><body>Service Unavailable</body></html>"));
        assertEquals(List.of(), parse(""));
        assertEquals(List.of(), parse("[1, \"x\", null]"));
    }
}

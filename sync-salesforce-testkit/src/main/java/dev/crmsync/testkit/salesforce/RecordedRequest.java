package dev.crmsync.testkit.salesforce;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One request the {@link FakeSalesforceServer} received, for assertions. Secrets are redacted:
 * the {@code Authorization} header's value, and on the OAuth token endpoint the
 * {@code client_secret}, {@code assertion}, {@code refresh_token}, {@code password} and
 * {@code code} parameters, read {@value #REDACTED}.
 *
 * @param time when it arrived (the server's clock)
 * @param method the HTTP method
 * @param path the decoded path, without the query string (e.g. {@code /services/data/v62.0/query})
 * @param queryParameters the decoded query parameters, in order
 * @param headers the request headers (names as the JDK server normalises them)
 * @param body the body as UTF-8 text (empty when none)
 * @param status the HTTP status answered, or 0 when the connection was dropped without an answer
 */
public record RecordedRequest(Instant time, String method, String path, Map<String, List<String>> queryParameters,
                              Map<String, List<String>> headers, String body, int status) {

    /** What a redacted secret reads as. */
    public static final String REDACTED = "[REDACTED]";

    /** Checks nulls and copies the maps (keeping their order). */
    public RecordedRequest {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        queryParameters = copy(queryParameters);
        headers = copy(headers);
        Objects.requireNonNull(body, "body");
    }

    /**
     * @param name a query parameter name (exact)
     * @return its first value, if present
     */
    public Optional<String> queryParameter(String name) {
        List<String> v = queryParameters.get(name);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
    }

    /**
     * @param name a header name (any case)
     * @return its first value, if present
     */
    public Optional<String> header(String name) {
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                return Optional.of(e.getValue().get(0));
            }
        }
        return Optional.empty();
    }

    private static Map<String, List<String>> copy(Map<String, List<String>> m) {
        Objects.requireNonNull(m, "map");
        Map<String, List<String>> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return java.util.Collections.unmodifiableMap(out);
    }

    @Override
    public String toString() {
        return method + " " + path + (queryParameters.isEmpty() ? "" : " " + queryParameters) + " -> " + status;
    }
}

package dev.crmsync.salesforce.internal;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One logical Salesforce call: which endpoint (the key it is counted under), method, path, query
 * parameters, headers and body. Immutable; the {@code with…} methods return copies.
 *
 * @param endpoint the name the call is counted and logged under, e.g. {@code query}
 * @param method the HTTP method
 * @param path a path under {@code /services/data/vXX.X} (e.g. {@code /query}), or an absolute path
 *     on the instance starting with {@code /services/} (a {@code nextRecordsUrl})
 * @param query query parameters, in order
 * @param headers extra request headers
 * @param body the body, or null
 * @param contentType the body's content type, or null
 * @param idempotent false when repeating the call could repeat its effect (creates): such a call is
 *     retried only when Salesforce certainly did not process it
 */
public record ApiCall(String endpoint, String method, String path, Map<String, String> query,
                      Map<String, String> headers, byte[] body, String contentType, boolean idempotent) {

    /** Checks nulls, copies the maps (keeping order). */
    public ApiCall {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with '/': " + Soql.display(path));
        }
        query = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(query));
        headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /** @param endpoint the counting key @param path the path @return a GET */
    public static ApiCall get(String endpoint, String path) {
        return new ApiCall(endpoint, "GET", path, Map.of(), Map.of(), null, null, true);
    }

    /** @param endpoint the counting key @param method the method @param path the path @param json the body @return a call with a JSON body */
    public static ApiCall json(String endpoint, String method, String path, String json) {
        return new ApiCall(endpoint, method, path, Map.of(), Map.of(), json.getBytes(StandardCharsets.UTF_8),
                "application/json; charset=UTF-8", true);
    }

    /** @param name parameter name @param value parameter value @return a copy with the parameter */
    public ApiCall withQuery(String name, String value) {
        Map<String, String> q = new LinkedHashMap<>(query);
        q.put(name, value);
        return new ApiCall(endpoint, method, path, q, headers, body, contentType, idempotent);
    }

    /** @param name header name @param value header value @return a copy with the header */
    public ApiCall withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new ApiCall(endpoint, method, path, query, h, body, contentType, idempotent);
    }

    /** @return a copy marked non-idempotent */
    public ApiCall nonIdempotent() {
        return new ApiCall(endpoint, method, path, query, headers, body, contentType, false);
    }

    @Override
    public String toString() {
        return method + " " + endpoint + " " + path;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ApiCall c && c.endpoint.equals(endpoint) && c.method.equals(method) && c.path.equals(path)
                && c.query.equals(query) && c.headers.equals(headers) && java.util.Arrays.equals(c.body, body)
                && Objects.equals(c.contentType, contentType) && c.idempotent == idempotent;
    }

    @Override
    public int hashCode() {
        return Objects.hash(endpoint, method, path, query, headers, java.util.Arrays.hashCode(body), contentType, idempotent);
    }
}

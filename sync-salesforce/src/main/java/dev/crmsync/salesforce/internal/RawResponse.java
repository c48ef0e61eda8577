package dev.crmsync.salesforce.internal;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A whole HTTP response: status, headers (names lower-cased; the last value wins) and body.
 *
 * @param status the status code
 * @param headers the headers by lower-case name
 * @param body the body, possibly empty
 */
public record RawResponse(int status, Map<String, String> headers, byte[] body) {

    /** Checks nulls, copies the map. */
    public RawResponse {
        headers = Map.copyOf(headers);
        Objects.requireNonNull(body, "body");
    }

    /** @param name a header name, any case @return its value, or null */
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** @return the body as UTF-8 text */
    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** @return true for 2xx */
    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }

    @Override
    public String toString() {
        return "RawResponse[" + status + ", " + body.length + " bytes]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawResponse r && r.status == status && r.headers.equals(headers)
                && java.util.Arrays.equals(r.body, body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, headers, java.util.Arrays.hashCode(body));
    }
}

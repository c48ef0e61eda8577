package dev.crmsync.salesforce.internal;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import dev.crmsync.crm.InFlightCalls;
import dev.crmsync.model.CallAbortedException;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * The one pooled Apache HttpClient 5 client of a source, shared by all its calls and closed with it.
 * No automatic retries (the source retries itself), no redirects (a bearer token is never sent to
 * another host), no cookies, no HTTP authentication schemes (the source sends its own bearer token).
 *
 * <p>Every request is registered with the source's {@link InFlightCalls}, so that
 * {@code wakeup(thread)} cancels it ({@link HttpUriRequestBase#cancel()}: the connection is shut,
 * and a read blocked in the classic client, which interruption does not reach, fails at once); the
 * request then throws {@link CallAbortedException}.
 */
public final class HttpTransport implements Closeable {

    private final PoolingHttpClientConnectionManager pool;
    private final CloseableHttpClient client;
    private final InFlightCalls calls;

    /**
     * @param connectTimeout TCP connect timeout
     * @param socketTimeout longest silence while reading a response
     * @param maxConnections pool size
     * @param calls the source's calls in flight, through which requests are cancelled
     */
    public HttpTransport(Duration connectTimeout, Duration socketTimeout, int maxConnections, InFlightCalls calls) {
        this.calls = calls;
        this.pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(connectTimeout))
                        .setSocketTimeout(Timeout.of(socketTimeout))
                        .build())
                .setMaxConnTotal(maxConnections)
                .setMaxConnPerRoute(maxConnections)
                .build();
        this.client = HttpClients.custom()
                .setConnectionManager(pool)
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setResponseTimeout(Timeout.of(socketTimeout))
                        .setConnectionRequestTimeout(Timeout.of(socketTimeout))
                        .setRedirectsEnabled(false)
                        .build())
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .disableAuthCaching()
                // the source authenticates itself; HttpClient must not answer 401 challenges
                .setTargetAuthenticationStrategy((type, challenges, context) -> java.util.List.of())
                .setProxyAuthenticationStrategy((type, challenges, context) -> java.util.List.of())
                .setUserAgent("crmsync-salesforce")
                .build();
    }

    /**
     * Reads a response while the connection is open: the status, the headers (names lower-cased; the
     * last value wins) and the body as a stream, which is valid only during the call.
     *
     * @param <T> what the handler makes of the response
     */
    @FunctionalInterface
    public interface BodyHandler<T> {
        /**
         * @param status the status code
         * @param headers the headers by lower-case name
         * @param body the body (empty if the response has none); a transfer cut midway fails a read
         *     with an {@link IOException}
         * @return what the handler made of the response
         * @throws IOException if the body cannot be read
         */
        T handle(int status, Map<String, String> headers, InputStream body) throws IOException;
    }

    /**
     * Sends one request and reads the whole response.
     *
     * @param endpoint the call's counting key, for the abort message
     * @param method the HTTP method
     * @param uri the absolute URI
     * @param headers request headers
     * @param body the body, or null
     * @param contentType the body's content type, or null
     * @return the response
     * @throws IOException on connection failures, timeouts and truncated bodies
     * @throws CallAbortedException if the request was cancelled by a wake-up, or the thread is
     *     interrupted (never retried)
     */
    public RawResponse execute(String endpoint, String method, URI uri, Map<String, String> headers, byte[] body,
                               String contentType) throws IOException {
        return execute(endpoint, method, uri, headers, body, contentType,
                (status, h, in) -> new RawResponse(status, h, in.readAllBytes()));
    }

    /**
     * Sends one request and hands the response to {@code handler} while the connection is open, so
     * that a body can be parsed as it arrives rather than held whole. What the handler leaves unread
     * is drained afterwards (the connection is reused); a handler that throws closes the connection.
     *
     * @param endpoint the call's counting key, for the abort message
     * @param method the HTTP method
     * @param uri the absolute URI
     * @param headers request headers
     * @param body the body, or null
     * @param contentType the body's content type, or null
     * @param handler reads the response
     * @param <T> what the handler returns
     * @return what the handler returned
     * @throws IOException on connection failures, timeouts, truncated bodies and the handler's own
     * @throws CallAbortedException if the request was cancelled by a wake-up, or the thread is
     *     interrupted (never retried)
     */
    public <T> T execute(String endpoint, String method, URI uri, Map<String, String> headers, byte[] body,
                         String contentType, BodyHandler<T> handler) throws IOException {
        HttpUriRequestBase request = new HttpUriRequestBase(method, uri);
        headers.forEach(request::setHeader);
        if (body != null) {
            request.setEntity(new ByteArrayEntity(body, contentType == null ? null : ContentType.parse(contentType)));
        }
        InFlightCalls.Call call = calls.begin(method + " " + endpoint, request::cancel);
        try {
            return client.execute(request, response -> {
                Map<String, String> h = new HashMap<>();
                for (Header header : response.getHeaders()) {
                    h.put(header.getName().toLowerCase(Locale.ROOT), header.getValue());
                }
                HttpEntity entity = response.getEntity();
                try (InputStream in = entity == null ? InputStream.nullInputStream() : entity.getContent()) {
                    return handler.handle(response.getCode(), h, in == null ? InputStream.nullInputStream() : in);
                }
            });
        } catch (IOException | RuntimeException e) {
            if (call.aborted()) {
                throw call.abortedException();
            }
            throw e;
        } finally {
            call.close();
        }
    }

    /** Closes the pool; idempotent. */
    @Override
    public void close() {
        client.close(CloseMode.GRACEFUL);
        pool.close(CloseMode.GRACEFUL);
    }
}

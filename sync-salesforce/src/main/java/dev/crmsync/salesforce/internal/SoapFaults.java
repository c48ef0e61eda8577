package dev.crmsync.salesforce.internal;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** Reads a SOAP fault of the partner API and classifies it as {@link ErrorClassifier} does a REST error. */
public final class SoapFaults {

    private SoapFaults() {
    }

    /**
     * @param body a response body
     * @return the fault's code (without {@code sf:}) and message, or null if the body is no SOAP fault
     */
    public static @Nullable ApiError parse(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            Document doc = SoapCalls.parse(body);
            Element env = doc.getDocumentElement();
            Element b = SoapCalls.child(env, SoapCalls.SOAPENV, "Body");
            Element fault = b == null ? null : SoapCalls.child(b, SoapCalls.SOAPENV, "Fault");
            if (fault == null) {
                return null;
            }
            String code = SoapCalls.text(fault, null, "faultcode");
            String message = SoapCalls.text(fault, null, "faultstring");
            code = code == null ? "" : code.trim();
            int colon = code.indexOf(':');
            return new ApiError(colon >= 0 ? code.substring(colon + 1) : code, message == null ? "" : message, List.of());
        } catch (Exception e) {
            return null;
        }
    }

    /**
     * @param status the HTTP status
     * @param fault the fault, or null
     * @return what to do
     */
    public static ErrorClassifier.Action classify(int status, @Nullable ApiError fault) {
        if (fault == null) {
            return ErrorClassifier.classify(status, List.of());
        }
        return switch (fault.code()) {
            case "INVALID_SESSION_ID" -> ErrorClassifier.Action.RENEW_SESSION;
            case "REQUEST_LIMIT_EXCEEDED" -> ErrorClassifier.Action.QUOTA_EXCEEDED;
            case "SERVER_UNAVAILABLE" -> ErrorClassifier.Action.RETRY;
            default -> ErrorClassifier.Action.FAIL;
        };
    }
}

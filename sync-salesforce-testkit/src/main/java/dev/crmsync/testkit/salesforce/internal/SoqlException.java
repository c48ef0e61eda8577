package dev.crmsync.testkit.salesforce.internal;

/**
 * A SOQL query the server refuses: a syntax error ({@code MALFORMED_QUERY}) or a name or value
 * that does not fit describe ({@code INVALID_FIELD}, {@code INVALID_TYPE}, …).
 */
public final class SoqlException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String errorCode;
    private final int position;

    /**
     * @param errorCode the Salesforce error code
     * @param message the message (without the position banner)
     * @param position the 0-based offset the error points at, or -1
     */
    public SoqlException(String errorCode, String message, int position) {
        super(message);
        this.errorCode = errorCode;
        this.position = position;
    }

    /** @return the Salesforce error code */
    public String errorCode() {
        return errorCode;
    }

    /** @return the 0-based offset the error points at, or -1 */
    public int position() {
        return position;
    }

    /**
     * Formats the message as Salesforce does: the query, a caret under the offending column,
     * {@code ERROR at Row:r:Column:c}, then the message.
     *
     * @param query the query text
     * @return the message to send
     */
    public String describe(String query) {
        if (position < 0) {
            return getMessage();
        }
        int pos = Math.min(position, query.length());
        int row = 1;
        int lineStart = 0;
        for (int i = 0; i < pos; i++) {
            if (query.charAt(i) == '\n') {
                row++;
                lineStart = i + 1;
            }
        }
        int lineEnd = query.indexOf('\n', pos);
        String line = query.substring(lineStart, lineEnd < 0 ? query.length() : lineEnd);
        int column = pos - lineStart + 1;
        return "\n" + line + "\n" + " ".repeat(column - 1) + "^\nERROR at Row:" + row + ":Column:" + column
                + "\n" + getMessage();
    }
}

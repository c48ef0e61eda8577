package dev.crmsync.salesforce.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.crmsync.model.SyncRecord;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * One page of a REST {@code query}/{@code queryAll}/{@code queryMore} answer, read with Jackson's
 * streaming parser straight from the response body into records: no JSON tree, no map per record
 * but the record's own. Keys other than {@code totalSize}, {@code done}, {@code nextRecordsUrl} and
 * {@code records} are skipped, and so are a record's {@code attributes} and fields the plan does not
 * select. The page is built whole before it is returned, so a body cut midway hands out nothing (the
 * call is made again).
 *
 * @param totalSize the query's {@code totalSize}, or -1 if absent
 * @param done the {@code done} flag (true if absent)
 * @param nextRecordsUrl the {@code nextRecordsUrl}, or the empty string
 * @param records the page's records, in the order sent
 */
public record QueryPage(long totalSize, boolean done, String nextRecordsUrl, List<SyncRecord> records) {

    /** Checks nulls. */
    public QueryPage {
        java.util.Objects.requireNonNull(nextRecordsUrl, "nextRecordsUrl");
        java.util.Objects.requireNonNull(records, "records");
    }

    /**
     * @param factory the JSON factory (the source's mapper's)
     * @param plan what the records select
     * @return a parser of query pages for {@link ApiClient#stream}; it gives null for an empty body
     */
    public static ApiClient.StreamParser<QueryPage> parser(JsonFactory factory, ReadPlan plan) {
        return (head, body) -> read(factory, plan, body);
    }

    /**
     * @param factory the JSON factory
     * @param plan what the records select
     * @param body the page's JSON
     * @return the page, or null for an empty body
     * @throws IOException if the JSON is malformed or cut short
     */
    static QueryPage read(JsonFactory factory, ReadPlan plan, InputStream body) throws IOException {
        long total = -1;
        boolean done = true;
        String next = "";
        List<SyncRecord> records = new ArrayList<>();
        try (JsonParser p = factory.createParser(body)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return null;        // an empty body: no page
            }
            if (t != JsonToken.START_OBJECT) {
                throw new IOException("a query answer that is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                JsonToken v = p.nextToken();
                switch (key) {
                    case "totalSize" -> total = v.isNumeric() ? p.getLongValue() : -1;
                    case "done" -> done = v != JsonToken.VALUE_FALSE;
                    case "nextRecordsUrl" -> next = v == JsonToken.VALUE_STRING ? p.getText() : "";
                    case "records" -> {
                        if (v == JsonToken.START_ARRAY) {
                            readRecords(p, plan, records);
                        } else {
                            p.skipChildren();
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                throw new IOException("a query answer cut short");
            }
            if (p.nextToken() != null) {
                throw new IOException("text after the query answer");
            }
        }
        return new QueryPage(total, done, next, records);
    }

    private static void readRecords(JsonParser p, ReadPlan plan, List<SyncRecord> out) throws IOException {
        int n = plan.columnCount();
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
            Object[] raw = new Object[n];
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                int c = plan.column(p.currentName());
                JsonToken v = p.nextToken();
                if (c < 0) {
                    p.skipChildren();
                    continue;
                }
                raw[c] = switch (v) {
                    case VALUE_STRING -> p.getText();
                    case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> new ReadPlan.JsonNumber(p.getText());
                    case VALUE_TRUE -> Boolean.TRUE;
                    case VALUE_FALSE -> Boolean.FALSE;
                    case VALUE_NULL -> null;
                    case START_OBJECT, START_ARRAY -> {
                        p.skipChildren();
                        yield ReadPlan.STRUCTURED;
                    }
                    default -> throw new IOException("unexpected JSON token in a record");
                };
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                throw new IOException("a record cut short");
            }
            out.add(plan.fromRaw(raw));
        }
        if (t != JsonToken.END_ARRAY) {
            throw new IOException("the records of a query answer cut short");
        }
    }
}

package dev.crmsync.crm;

import dev.crmsync.model.ObjectType;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What to read from the CRM's change stream: records of a type strictly after a cursor, in
 * (modification stamp, id) order, deleted ones included.
 *
 * <p>A <b>resumable</b> query ({@link #resumable(String)}) tells the source that the caller
 * persists the stream's {@linkplain ChangeStream#resumePoint() resume points} and accepts pages
 * out of order across pages while it gives them (see {@link ChangeStream}); a source may then
 * hand out a long read (a Bulk job) piece by piece as it arrives, and continue it after a restart
 * from the {@link #resumeToken() token} saved. A source that cannot resume ignores both and reads
 * as for a plain query.
 *
 * @param type the object type
 * @param fields the fields to read (readable per describe); the id, stamp and deleted flag always come
 * @param after read records strictly after this position (also where a resumed read starts anew when
 *     its token can no longer be used)
 * @param pageSize how many records a page should hold (the source may cap it at its own maximum)
 * @param resumable true if the caller persists resume points and accepts pages out of order while
 *     the stream gives them
 * @param resumeToken a {@link ChangeStream#resumePoint()} of an earlier stream of the same query to
 *     continue from, or null to start at {@code after}; only for a resumable query
 */
public record ChangeQuery(ObjectType type, Set<String> fields, Cursor after, int pageSize, boolean resumable,
                          @Nullable String resumeToken) {

    /** Largest page size any source is asked for. */
    public static final int MAX_PAGE_SIZE = 10_000;

    /** Longest resume token a source may give ({@link ChangeStream#resumePoint()}) and a query may carry. */
    public static final int MAX_RESUME_TOKEN_LENGTH = 1_000;

    /** Checks nulls and ranges, copies the set. */
    public ChangeQuery {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(after, "after");
        fields = Set.copyOf(fields);
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("pageSize must be between 1 and " + MAX_PAGE_SIZE + ", was " + pageSize);
        }
        if (resumeToken != null) {
            checkToken(resumeToken);
            if (!resumable) {
                throw new IllegalArgumentException("a resume token needs a resumable query");
            }
        }
    }

    /**
     * A plain (not resumable) query.
     *
     * @param type the object type
     * @param fields the fields to read
     * @param after read records strictly after this position
     * @param pageSize how many records a page should hold
     */
    public ChangeQuery(ObjectType type, Set<String> fields, Cursor after, int pageSize) {
        this(type, fields, after, pageSize, false, null);
    }

    /**
     * @param token a resume point an earlier stream of this query gave, or null to start at {@link #after()}
     * @return a resumable copy of this query, continuing from {@code token} when it is given
     * @throws IllegalArgumentException if the token is blank, longer than {@value #MAX_RESUME_TOKEN_LENGTH}
     *     or holds anything but printable ASCII
     */
    public ChangeQuery resumable(@Nullable String token) {
        return new ChangeQuery(type, fields, after, pageSize, true, token);
    }

    /**
     * Checks the form of a resume token: printable ASCII, not blank, at most
     * {@value #MAX_RESUME_TOKEN_LENGTH} characters.
     *
     * @param token the token
     * @return the token
     * @throws IllegalArgumentException if it is not of that form (the message does not quote it)
     */
    public static String checkToken(String token) {
        Objects.requireNonNull(token, "token");
        if (token.isBlank() || token.length() > MAX_RESUME_TOKEN_LENGTH) {
            throw new IllegalArgumentException("a resume token must be 1 to " + MAX_RESUME_TOKEN_LENGTH
                    + " characters, was " + token.length());
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new IllegalArgumentException("a resume token holds printable ASCII only (character " + i + ")");
            }
        }
        return token;
    }
}

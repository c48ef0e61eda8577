package dev.crmsync.core.report;

import dev.crmsync.model.CredentialsRefusedException;
import java.time.Instant;
import java.util.Objects;

/**
 * A job-level problem that stops the whole sync rather than a record, for the host to route to
 * e-mail or paging ({@link dev.crmsync.core.SyncListener#onAlert}): Marketo's "CRM sync
 * notifications" for expired credentials and exceeded API limits. An alert is raised once, at the
 * end of the first cycle that meets the condition, and cleared once, at the end of the first cycle
 * that no longer does; cycles in between raise nothing again. The state is the engine instance's
 * (in memory).
 *
 * @param kind what is wrong
 * @param state raised or cleared
 * @param code a stable code ({@link Kind#code()})
 * @param message what the engine knows, without record values or secrets
 * @param at the end of the cycle that raised or cleared it, by the engine's clock
 * @param cycleId that cycle's id
 */
public record SyncAlert(Kind kind, State state, String code, String message, Instant at, String cycleId) {

    /** What is wrong. */
    public enum Kind {
        /** The CRM refused the integration user's credentials (an expired refresh token, a revoked app, a wrong key). */
        CREDENTIALS_REFUSED(CredentialsRefusedException.CODE),
        /** The CRM's API limit (or the engine's configured share of it) is spent: the sync waits for it. */
        API_LIMIT_EXHAUSTED("API_QUOTA_EXHAUSTED");

        private final String code;

        Kind(String code) {
            this.code = code;
        }

        /** @return the alert's stable code */
        public String code() {
            return code;
        }
    }

    /** Whether the condition began or ended. */
    public enum State {
        /** the condition began with this cycle */
        RAISED,
        /** the condition ended with this cycle */
        CLEARED
    }

    /** Checks nulls; the code must be the kind's. */
    public SyncAlert {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(cycleId, "cycleId");
        if (!code.equals(kind.code())) {
            throw new IllegalArgumentException("code of a " + kind + " alert must be " + kind.code() + ", was " + code);
        }
    }
}

package dev.crmsync.testkit.salesforce.internal;

import dev.crmsync.model.Sleeper;
import dev.crmsync.crm.CrmSource;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;
import dev.crmsync.testkit.salesforce.FakeSalesforceServer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * The fake server's configuration, as the builder validated it.
 *
 * @param crm the backing CRM
 * @param clock the clock
 * @param seed seeds tokens and random faults
 * @param latestVersion the newest API version served (major number; 31 up to it are served)
 * @param dailyApiLimit the daily API request limit
 * @param perAppName a connected app name for the per-app limit header, or null
 * @param perAppLimit that app's limit
 * @param apps connected apps: client id to secret
 * @param jwtSubjects users the JWT bearer flow logs in
 * @param refreshTokens refresh tokens accepted at start, each to the client id it was issued to
 * @param rotateRefreshTokens true to rotate refresh tokens
 * @param fixedAccessToken an access token accepted without OAuth, or null
 * @param sleeper performs injected delays
 * @param bulkResultsChunkSize most rows per Bulk results chunk when the client gives no maxRecords
 * @param bulkResultsChunkChars the size limit of a Bulk results chunk, in CSV characters: a chunk
 *     ends with the row that reaches it (whatever maxRecords says)
 * @param bulkJobRetention how long a Bulk query job is kept after its creation
 * @param maxOpenBulkJobs how many Bulk query jobs may be unfinished at once
 * @param queryCursorCapacity how many query cursors stay open
 * @param port the port to bind (0 for an ephemeral one)
 * @param undoCreate removes a created record when an all-or-none write fails, or null
 * @param deleter deletes a live record to the recycle bin (the REST deletes), or null
 * @param undeleter restores a deleted record (an all-or-none composite rolled back), or null
 */
public record Settings(CrmSource crm, Clock clock, long seed, int latestVersion, long dailyApiLimit, String perAppName,
                       long perAppLimit, Map<String, String> apps, List<TokenService.JwtSubject> jwtSubjects,
                       Map<String, String> refreshTokens, boolean rotateRefreshTokens, String fixedAccessToken,
                       Sleeper sleeper, int bulkResultsChunkSize, long bulkResultsChunkChars,
                       Duration bulkJobRetention, int maxOpenBulkJobs, int queryCursorCapacity,
                       int port, BiConsumer<ObjectType, CrmId> undoCreate, BiConsumer<ObjectType, CrmId> deleter,
                       BiConsumer<ObjectType, CrmId> undeleter) {

    /** Checks nulls and copies collections. */
    public Settings {
        Objects.requireNonNull(crm, "crm");
        Objects.requireNonNull(clock, "clock");
        apps = Map.copyOf(apps);
        jwtSubjects = List.copyOf(jwtSubjects);
        refreshTokens = Map.copyOf(refreshTokens);
        Objects.requireNonNull(sleeper, "sleeper");
        Objects.requireNonNull(bulkJobRetention, "bulkJobRetention");
    }

    @Override
    public String toString() {
        return "Settings[v" + latestVersion + ".0, limit " + dailyApiLimit + ", apps " + apps.keySet() + "]";
    }
}

package dev.crmsync.salesforce.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed {@code Sforce-Limit-Info} header: the org's daily API usage ({@code api-usage=18/5000})
 * and, when present, the connected app's ({@code per-app-api-usage=17/250(appName=app)}). Both forms
 * may appear in one header, in any order, separated by {@code ;}; unknown parts (such as the old
 * {@code api-bursts}) are ignored.
 *
 * @param org the org-wide usage, if the header carried it
 * @param perApp usage per connected app, by app name
 */
public record LimitInfo(Optional<Usage> org, Map<String, Usage> perApp) {

    /** Nothing known. */
    public static final LimitInfo NONE = new LimitInfo(Optional.empty(), Map.of());

    /** Not preceded by a letter, digit or dash, so the per-app form does not match as the org form. */
    private static final Pattern ORG = Pattern.compile("(?<![-\\w])api-usage\\s*=\\s*(\\d+)\\s*/\\s*(\\d+)");
    private static final Pattern PER_APP =
            Pattern.compile("per-app-api-usage\\s*=\\s*(\\d+)\\s*/\\s*(\\d+)\\s*\\(\\s*appName\\s*=\\s*([^)]*)\\)");

    /**
     * Usage of one allowance.
     *
     * @param used calls made in the rolling 24 hours
     * @param limit calls allowed
     */
    public record Usage(long used, long limit) {
        /** Checks ranges. */
        public Usage {
            if (used < 0 || limit < 0) {
                throw new IllegalArgumentException("usage must be >= 0, was " + used + "/" + limit);
            }
        }
    }

    /** Checks nulls, copies the map. */
    public LimitInfo {
        Objects.requireNonNull(org, "org");
        perApp = Map.copyOf(perApp);
    }

    /**
     * @param header the header value, or null
     * @return what it says; {@link #NONE} for null or unparseable text
     */
    public static LimitInfo parse(String header) {
        if (header == null || header.isBlank()) {
            return NONE;
        }
        Optional<Usage> org = Optional.empty();
        Matcher m = ORG.matcher(header);
        if (m.find()) {
            org = usage(m.group(1), m.group(2));
        }
        Map<String, Usage> apps = new LinkedHashMap<>();
        Matcher a = PER_APP.matcher(header);
        while (a.find()) {
            usage(a.group(1), a.group(2)).ifPresent(u -> apps.put(a.group(3).trim(), u));
        }
        return new LimitInfo(org, apps);
    }

    private static Optional<Usage> usage(String used, String limit) {
        try {
            return Optional.of(new Usage(Long.parseLong(used), Long.parseLong(limit)));
        } catch (NumberFormatException e) {
            return Optional.empty(); // absurdly long digit runs: ignore rather than fail a call
        }
    }
}

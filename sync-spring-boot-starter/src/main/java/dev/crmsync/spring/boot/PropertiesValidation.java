package dev.crmsync.spring.boot;

import dev.crmsync.core.SyncEngine;
import dev.crmsync.model.ObjectType;
import dev.crmsync.salesforce.ApiBudget;
import dev.crmsync.spring.boot.CrmsyncProperties.Credentials;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.validation.Errors;

/**
 * Checks {@link CrmsyncProperties} with the library's own rules (its builders' checks), so a property fails at
 * startup with the library's message; a secret is only ever checked for presence, so no message can quote one.
 */
final class PropertiesValidation {

    private PropertiesValidation() {
    }

    static void validate(CrmsyncProperties p, Errors errors) {
        check(errors, "console.viewerRole", () -> role(p.getConsole().getViewerRole()));
        check(errors, "console.operatorRole", () -> role(p.getConsole().getOperatorRole()));
        check(errors, "engineId", () -> {
            if (p.getEngineId() != null) {
                SyncEngine.builder().engineId(p.getEngineId());
            }
        });
        // SyncScheduler.Builder's rules (the builder needs an engine, which does not exist yet)
        check(errors, "pause", () -> {
            if (p.getPause().isNegative() || p.getPause().isZero()) {
                throw new IllegalArgumentException("pause must be positive, was " + p.getPause());
            }
        });
        check(errors, "initialDelay", () -> {
            if (p.getInitialDelay().isNegative()) {
                throw new IllegalArgumentException("initialDelay must not be negative, was " + p.getInitialDelay());
            }
        });
        check(errors, "closeTimeout", () -> SyncEngine.builder().closeTimeout(p.getCloseTimeout()));
        check(errors, "maxAttempts", () -> SyncEngine.builder().maxAttempts(p.getMaxAttempts()));
        check(errors, "marketingIdField", () -> {
            if (p.getMarketingIdField() != null) {
                SyncEngine.builder().marketingIdField(p.getMarketingIdField());
            }
        });
        for (int i = 0; i < p.getObjectTypes().size(); i++) {
            String name = p.getObjectTypes().get(i);
            check(errors, "objectTypes[" + i + "]", () -> Types.resolve(name));
        }
        for (Map.Entry<String, List<String>> e : p.getFields().entrySet()) {
            check(errors, "fields[" + e.getKey() + "]",
                    () -> SyncEngine.builder().fields(Types.resolve(e.getKey()), e.getValue()));
        }
        for (String type : p.getConflict().getTypes().keySet()) {
            check(errors, "conflict.types[" + type + "]", () -> requireBidirectional(type));
        }
        for (String type : p.getConflict().getFields().keySet()) {
            check(errors, "conflict.fields[" + type + "]", () -> requireBidirectional(type));
        }
        check(errors, "salesforce.budgetPerCycle", () -> new ApiBudget(p.getSalesforce().getBudgetPerCycle(),
                Math.max(p.getSalesforce().getBudgetPerCycle(), p.getSalesforce().getBudgetTotal())));
        check(errors, "salesforce.budgetTotal", () -> new ApiBudget(
                Math.min(p.getSalesforce().getBudgetPerCycle(), p.getSalesforce().getBudgetTotal()),
                p.getSalesforce().getBudgetTotal()));
        check(errors, "health.maxCyclesWithoutCompletion", () -> {
            if (p.getHealth().getMaxCyclesWithoutCompletion() < 1) {
                throw new IllegalArgumentException("must be at least 1, was "
                        + p.getHealth().getMaxCyclesWithoutCompletion());
            }
        });
        check(errors, "jdbc.schema", () -> {
            if (p.getJdbc().getSchema().isBlank()) {
                throw new IllegalArgumentException("must not be blank");
            }
        });
        credentials(p, errors);
    }

    private static void credentials(CrmsyncProperties p, Errors errors) {
        Credentials c = p.getSalesforce().getCredentials();
        if (c.getKind() == null) {
            return;   // a host CrmSource bean, or the source bean says what is missing
        }
        switch (c.getKind()) {
            case JWT_BEARER -> {
                require(errors, "clientId", c.getClientId());
                require(errors, "username", c.getUsername());
                if ((c.getPrivateKey() == null) == (c.getKeyStore() == null)) {
                    errors.rejectValue("salesforce.credentials.privateKey", "crmsync.credentials",
                            "jwt-bearer needs exactly one of crmsync.salesforce.credentials.private-key (a PEM file) "
                                    + "and crmsync.salesforce.credentials.key-store");
                }
                if (c.getKeyStore() != null) {
                    require(errors, "keyStorePassword", c.getKeyStorePassword());
                }
            }
            case CLIENT_CREDENTIALS -> {
                require(errors, "clientId", c.getClientId());
                require(errors, "clientSecret", c.getClientSecret());
            }
            case REFRESH_TOKEN -> {
                require(errors, "clientId", c.getClientId());
                require(errors, "refreshToken", c.getRefreshToken());
            }
            case ACCESS_TOKEN -> {
                require(errors, "accessToken", c.getAccessToken());
                if (p.getSalesforce().getInstanceUrl() == null) {
                    errors.rejectValue("salesforce.instanceUrl", "crmsync.credentials",
                            "is required for crmsync.salesforce.credentials.kind=access-token");
                }
            }
        }
    }

    /** A secret or a required value: checked for presence only (the failure shows no value). */
    private static void require(Errors errors, String field, @Nullable String value) {
        if (value == null || value.isBlank()) {
            errors.rejectValue("salesforce.credentials." + field, "crmsync.credentials",
                    "is required for crmsync.salesforce.credentials.kind="
                            + kebab(errors.getFieldValue("salesforce.credentials.kind")));
        }
    }

    private static String kebab(@Nullable Object kind) {
        return kind == null ? "" : kind.toString().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static void requireBidirectional(String type) {
        ObjectType t = Types.resolve(type);
        if (!t.isBidirectional()) {
            throw new IllegalArgumentException("conflict rules apply to the bidirectional types only "
                    + "(Lead, Contact, Campaign, CampaignMember), not " + t.apiName());
        }
    }

    private static void check(Errors errors, String field, Runnable rule) {
        try {
            rule.run();
        } catch (IllegalArgumentException | NullPointerException e) {
            errors.rejectValue(field, "crmsync.invalid", String.valueOf(e.getMessage()));
        }
    }

    /** A Spring Security role name, without the ROLE_ prefix (hasRole adds it). */
    private static void role(@Nullable String role) {
        if (role == null || !role.matches("[A-Za-z][A-Za-z0-9_]{0,63}")) {
            throw new IllegalArgumentException("a role is a letter then up to 63 letters, digits or '_', was "
                    + (role == null ? "null" : "'" + role + "'"));
        }
        if (role.startsWith("ROLE_")) {
            throw new IllegalArgumentException("a role is named without the ROLE_ prefix, was '" + role + "'");
        }
    }
}

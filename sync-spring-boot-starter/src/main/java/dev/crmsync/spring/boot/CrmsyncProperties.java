package dev.crmsync.spring.boot;

import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.SyncScheduler;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.core.io.Resource;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * The {@code crmsync.*} properties. A property the starter does not know (a typo) fails startup, and so does a
 * value the library refuses: the failure names the property, and never quotes a secret.
 *
 * <pre>
 * crmsync.engine-id=marketing-sync
 * crmsync.object-types=Lead,Contact,Account
 * crmsync.salesforce.login-url=https://mycompany.my.salesforce.com
 * crmsync.salesforce.credentials.kind=jwt-bearer
 * crmsync.salesforce.credentials.client-id=${SF_CONSUMER_KEY}
 * crmsync.salesforce.credentials.username=integration@mycompany.com
 * crmsync.salesforce.credentials.private-key=file:/run/secrets/salesforce.pem
 * </pre>
 */
@ConfigurationProperties(prefix = CrmsyncProperties.PREFIX, ignoreUnknownFields = false)
public class CrmsyncProperties implements Validator {

    /** The properties' prefix. */
    public static final String PREFIX = "crmsync";

    /** The default of {@code crmsync.health.max-cycles-without-completion}. */
    public static final int DEFAULT_MAX_CYCLES_WITHOUT_COMPLETION = 3;

    /** Whether the starter configures crmsync at all. */
    private boolean enabled = true;

    /** Whether the scheduler starts with the application context (false: the host calls runCycle itself). */
    private boolean autoStart = true;

    /** The engine id: names this engine's checkpoints and leases in a shared database. */
    private @Nullable String engineId;

    /** The pause between the end of one cycle and the start of the next. */
    private Duration pause = SyncScheduler.DEFAULT_PAUSE;

    /** The delay before the first cycle once the context has started. */
    private Duration initialDelay = Duration.ZERO;

    /** How long closing the engine waits for a running cycle to reach a page boundary. */
    private Duration closeTimeout = SyncEngine.DEFAULT_CLOSE_TIMEOUT;

    /** Attempts before a rejected record is parked. */
    private int maxAttempts = SyncEngine.DEFAULT_MAX_ATTEMPTS;

    /** The External ID field on Lead, Contact and Campaign that holds the marketing id (recommended). */
    private @Nullable String marketingIdField;

    /** The object types to sync (API names, e.g. Lead, Contact, Account, Custom__c); empty: every standard type. */
    private List<String> objectTypes = new ArrayList<>();

    /** Per object type, the fields to sync (API names); a type not named here syncs every readable field. */
    private Map<String, List<String>> fields = new LinkedHashMap<>();

    /** Conflict rules. */
    private final Conflict conflict = new Conflict();

    /** The Salesforce connection. */
    private final Salesforce salesforce = new Salesforce();

    /** The JDBC stores on the application's DataSource. */
    private final Jdbc jdbc = new Jdbc();

    /** The health indicator. */
    private final Health health = new Health();

    /** The operator console (an Actuator endpoint and a page). */
    private final Console console = new Console();

    /** @return whether the starter configures crmsync */
    public boolean isEnabled() {
        return enabled;
    }

    /** @param enabled whether the starter configures crmsync */
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** @return whether the scheduler starts with the context */
    public boolean isAutoStart() {
        return autoStart;
    }

    /** @param autoStart whether the scheduler starts with the context */
    public void setAutoStart(boolean autoStart) {
        this.autoStart = autoStart;
    }

    /** @return the engine id, or null for the engine's default */
    public @Nullable String getEngineId() {
        return engineId;
    }

    /** @param engineId the engine id */
    public void setEngineId(@Nullable String engineId) {
        this.engineId = engineId;
    }

    /** @return the pause between cycles */
    public Duration getPause() {
        return pause;
    }

    /** @param pause the pause between cycles */
    public void setPause(Duration pause) {
        this.pause = pause;
    }

    /** @return the delay before the first cycle */
    public Duration getInitialDelay() {
        return initialDelay;
    }

    /** @param initialDelay the delay before the first cycle */
    public void setInitialDelay(Duration initialDelay) {
        this.initialDelay = initialDelay;
    }

    /** @return the engine's close timeout */
    public Duration getCloseTimeout() {
        return closeTimeout;
    }

    /** @param closeTimeout the engine's close timeout */
    public void setCloseTimeout(Duration closeTimeout) {
        this.closeTimeout = closeTimeout;
    }

    /** @return attempts before a rejected record is parked */
    public int getMaxAttempts() {
        return maxAttempts;
    }

    /** @param maxAttempts attempts before a rejected record is parked */
    public void setMaxAttempts(int maxAttempts) {
        this.maxAttempts = maxAttempts;
    }

    /** @return the marketing-id field, or null */
    public @Nullable String getMarketingIdField() {
        return marketingIdField;
    }

    /** @param marketingIdField the marketing-id field */
    public void setMarketingIdField(@Nullable String marketingIdField) {
        this.marketingIdField = marketingIdField;
    }

    /** @return the object types to sync */
    public List<String> getObjectTypes() {
        return objectTypes;
    }

    /** @param objectTypes the object types to sync */
    public void setObjectTypes(List<String> objectTypes) {
        this.objectTypes = objectTypes;
    }

    /** @return the fields per object type */
    public Map<String, List<String>> getFields() {
        return fields;
    }

    /** @param fields the fields per object type */
    public void setFields(Map<String, List<String>> fields) {
        this.fields = fields;
    }

    /** @return the conflict rules */
    public Conflict getConflict() {
        return conflict;
    }

    /** @return the Salesforce connection */
    public Salesforce getSalesforce() {
        return salesforce;
    }

    /** @return the JDBC stores' settings */
    public Jdbc getJdbc() {
        return jdbc;
    }

    /** @return the health indicator's settings */
    public Health getHealth() {
        return health;
    }

    /** @return the operator console's settings */
    public Console getConsole() {
        return console;
    }

    @Override
    public boolean supports(Class<?> clazz) {
        return CrmsyncProperties.class.isAssignableFrom(clazz);
    }

    @Override
    public void validate(Object target, Errors errors) {
        PropertiesValidation.validate((CrmsyncProperties) target, errors);
    }

    /** A built-in conflict rule ({@code ConflictPolicy}'s factories), written in kebab case: {@code crm-wins}. */
    public enum Rule {
        /** {@code ConflictPolicy.crmWins()}. */
        CRM_WINS,
        /** {@code ConflictPolicy.marketingWins()}. */
        MARKETING_WINS,
        /** {@code ConflictPolicy.lastWriterWins()}. */
        LAST_WRITER_WINS,
        /** {@code ConflictPolicy.manual()}: parked for an operator. */
        MANUAL,
        /** {@code ConflictPolicy.alwaysCrm()}. */
        ALWAYS_CRM,
        /** {@code ConflictPolicy.alwaysMarketing()}. */
        ALWAYS_MARKETING,
        /** {@code ConflictPolicy.preferCrmUnlessBlank()}. */
        PREFER_CRM_UNLESS_BLANK,
        /** {@code ConflictPolicy.twoWay()}. */
        TWO_WAY,
        /** {@code ConflictPolicy.dontSync()}. */
        DONT_SYNC
    }

    /** Conflict rules for the bidirectional types; what is not named keeps Marketo's defaults. */
    public static class Conflict {
        /** The rule for every field no other rule names; unset: Marketo's defaults per type. */
        private @Nullable Rule fallback;

        /** A rule per object type (Lead, Contact, Campaign, CampaignMember). */
        private Map<String, Rule> types = new LinkedHashMap<>();

        /** A rule per object type and field: crmsync.conflict.fields.Lead.Email=always-crm. */
        private Map<String, Map<String, Rule>> fields = new LinkedHashMap<>();

        /** @return the fallback rule, or null */
        public @Nullable Rule getFallback() {
            return fallback;
        }

        /** @param fallback the fallback rule */
        public void setFallback(@Nullable Rule fallback) {
            this.fallback = fallback;
        }

        /** @return the rules per type */
        public Map<String, Rule> getTypes() {
            return types;
        }

        /** @param types the rules per type */
        public void setTypes(Map<String, Rule> types) {
            this.types = types;
        }

        /** @return the rules per type and field */
        public Map<String, Map<String, Rule>> getFields() {
            return fields;
        }

        /** @param fields the rules per type and field */
        public void setFields(Map<String, Map<String, Rule>> fields) {
            this.fields = fields;
        }
    }

    /**
     * Change events: {@code crmsync.salesforce.events.*}. With {@code enabled=true} and sync-salesforce-events on
     * the class path, the listed types' Change Data Capture events are followed ({@code ChangeEventSync}) and the
     * scheduler's pause becomes its suggested pause (long while events flow, {@code crmsync.pause} otherwise).
     */
    public static class Events {
        /** Whether to follow change events. */
        private boolean enabled;

        /** The types to follow: those selected for Change Data Capture in the org; required when enabled. */
        private List<String> objectTypes = new ArrayList<>();

        /** The Pub/Sub API's host. */
        private String host = "api.pubsub.salesforce.com";

        /** The Pub/Sub API's port. */
        private int port = 7443;

        /** Plaintext instead of TLS, for a loopback host only (a local fake server); never for a real org. */
        private boolean plaintextLoopback;

        /** The org's id (00D…), needed only with an access-token credential (other flows return it). */
        private @Nullable String orgId;

        /** @return the org's id, if set */
        public @Nullable String getOrgId() {
            return orgId;
        }

        /** @param orgId the org's id */
        public void setOrgId(@Nullable String orgId) {
            this.orgId = orgId;
        }

        /** The pause between cycles while every followed type's events flow (polling is then only the net). */
        private Duration healthyPause = Duration.ofMinutes(30);

        /** @return whether to follow change events */
        public boolean isEnabled() {
            return enabled;
        }

        /** @param enabled whether to follow change events */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /** @return the types to follow */
        public List<String> getObjectTypes() {
            return objectTypes;
        }

        /** @param objectTypes the types to follow */
        public void setObjectTypes(List<String> objectTypes) {
            this.objectTypes = new ArrayList<>(objectTypes);
        }

        /** @return the Pub/Sub API's host */
        public String getHost() {
            return host;
        }

        /** @param host the Pub/Sub API's host */
        public void setHost(String host) {
            this.host = host;
        }

        /** @return the Pub/Sub API's port */
        public int getPort() {
            return port;
        }

        /** @param port the Pub/Sub API's port */
        public void setPort(int port) {
            this.port = port;
        }

        /** @return whether to speak plaintext to a loopback host */
        public boolean isPlaintextLoopback() {
            return plaintextLoopback;
        }

        /** @param plaintextLoopback whether to speak plaintext to a loopback host */
        public void setPlaintextLoopback(boolean plaintextLoopback) {
            this.plaintextLoopback = plaintextLoopback;
        }

        /** @return the pause while events flow */
        public Duration getHealthyPause() {
            return healthyPause;
        }

        /** @param healthyPause the pause while events flow */
        public void setHealthyPause(Duration healthyPause) {
            this.healthyPause = healthyPause;
        }
    }

    /** The Salesforce connection. */
    public static class Salesforce {
        /** The login URL: login.salesforce.com, test.salesforce.com, or the org's My Domain. */
        private URI loginUrl = URI.create("https://login.salesforce.com");

        /** The instance URL, when it should not be taken from the token response. */
        private @Nullable URI instanceUrl;

        /** The REST API version, e.g. 62.0; unset: the adapter's default. */
        private @Nullable String apiVersion;

        /** Plain http for a loopback address (a local fake server); never for a real org. */
        private boolean allowHttpForLoopback;

        /** The share of the daily API limit one cycle may use. */
        private double budgetPerCycle = 0.25;

        /** The share of the daily API limit crmsync may use in all. */
        private double budgetTotal = 0.80;

        /** The credentials. */
        private final Credentials credentials = new Credentials();

        /** Change events (Change Data Capture over the Pub/Sub API; needs sync-salesforce-events). */
        private final Events events = new Events();

        /** @return the change-event settings */
        public Events getEvents() {
            return events;
        }

        /** @return the login URL */
        public URI getLoginUrl() {
            return loginUrl;
        }

        /** @param loginUrl the login URL */
        public void setLoginUrl(URI loginUrl) {
            this.loginUrl = loginUrl;
        }

        /** @return the instance URL, or null */
        public @Nullable URI getInstanceUrl() {
            return instanceUrl;
        }

        /** @param instanceUrl the instance URL */
        public void setInstanceUrl(@Nullable URI instanceUrl) {
            this.instanceUrl = instanceUrl;
        }

        /** @return the API version, or null */
        public @Nullable String getApiVersion() {
            return apiVersion;
        }

        /** @param apiVersion the API version */
        public void setApiVersion(@Nullable String apiVersion) {
            this.apiVersion = apiVersion;
        }

        /** @return whether http is allowed for a loopback address */
        public boolean isAllowHttpForLoopback() {
            return allowHttpForLoopback;
        }

        /** @param allowHttpForLoopback whether http is allowed for a loopback address */
        public void setAllowHttpForLoopback(boolean allowHttpForLoopback) {
            this.allowHttpForLoopback = allowHttpForLoopback;
        }

        /** @return the per-cycle budget share */
        public double getBudgetPerCycle() {
            return budgetPerCycle;
        }

        /** @param budgetPerCycle the per-cycle budget share */
        public void setBudgetPerCycle(double budgetPerCycle) {
            this.budgetPerCycle = budgetPerCycle;
        }

        /** @return the overall budget share */
        public double getBudgetTotal() {
            return budgetTotal;
        }

        /** @param budgetTotal the overall budget share */
        public void setBudgetTotal(double budgetTotal) {
            this.budgetTotal = budgetTotal;
        }

        /** @return the credentials */
        public Credentials getCredentials() {
            return credentials;
        }
    }

    /** How the Salesforce source authenticates. */
    public enum CredentialsKind {
        /** OAuth JWT bearer: client-id, username, and private-key (PEM) or key-store. */
        JWT_BEARER,
        /** OAuth client credentials: client-id, client-secret (login-url must be the My Domain). */
        CLIENT_CREDENTIALS,
        /** OAuth refresh token: client-id, refresh-token, optionally client-secret. */
        REFRESH_TOKEN,
        /** A fixed access token and instance-url (tests, scripts). */
        ACCESS_TOKEN
    }

    /** Salesforce credentials; the secrets are never logged or shown in a startup failure. */
    public static class Credentials {
        /** Which OAuth flow. */
        private @Nullable CredentialsKind kind;

        /** The connected app's consumer key. */
        private @Nullable String clientId;

        /** The consumer secret (client-credentials, refresh-token). */
        private @Nullable String clientSecret;

        /** The Salesforce username (jwt-bearer). */
        private @Nullable String username;

        /** The JWT audience; unset: derived from the login URL. */
        private @Nullable String audience;

        /** The RSA private key as a PEM file (PKCS#8 BEGIN PRIVATE KEY or PKCS#1 BEGIN RSA PRIVATE KEY). */
        private @Nullable Resource privateKey;

        /** A key store holding the private key (instead of private-key). */
        private @Nullable Resource keyStore;

        /** The key store's type. */
        private String keyStoreType = "PKCS12";

        /** The key store's password. */
        private @Nullable String keyStorePassword;

        /** The key's alias in the key store; unset: its only key. */
        private @Nullable String keyAlias;

        /** The key's password; unset: the key store's password. */
        private @Nullable String keyPassword;

        /** The refresh token (refresh-token). */
        private @Nullable String refreshToken;

        /** The access token (access-token). */
        private @Nullable String accessToken;

        /** @return the flow */
        public @Nullable CredentialsKind getKind() {
            return kind;
        }

        /** @param kind the flow */
        public void setKind(@Nullable CredentialsKind kind) {
            this.kind = kind;
        }

        /** @return the consumer key */
        public @Nullable String getClientId() {
            return clientId;
        }

        /** @param clientId the consumer key */
        public void setClientId(@Nullable String clientId) {
            this.clientId = clientId;
        }

        /** @return the consumer secret */
        public @Nullable String getClientSecret() {
            return clientSecret;
        }

        /** @param clientSecret the consumer secret */
        public void setClientSecret(@Nullable String clientSecret) {
            this.clientSecret = clientSecret;
        }

        /** @return the username */
        public @Nullable String getUsername() {
            return username;
        }

        /** @param username the username */
        public void setUsername(@Nullable String username) {
            this.username = username;
        }

        /** @return the JWT audience */
        public @Nullable String getAudience() {
            return audience;
        }

        /** @param audience the JWT audience */
        public void setAudience(@Nullable String audience) {
            this.audience = audience;
        }

        /** @return the PEM private key */
        public @Nullable Resource getPrivateKey() {
            return privateKey;
        }

        /** @param privateKey the PEM private key */
        public void setPrivateKey(@Nullable Resource privateKey) {
            this.privateKey = privateKey;
        }

        /** @return the key store */
        public @Nullable Resource getKeyStore() {
            return keyStore;
        }

        /** @param keyStore the key store */
        public void setKeyStore(@Nullable Resource keyStore) {
            this.keyStore = keyStore;
        }

        /** @return the key store type */
        public String getKeyStoreType() {
            return keyStoreType;
        }

        /** @param keyStoreType the key store type */
        public void setKeyStoreType(String keyStoreType) {
            this.keyStoreType = keyStoreType;
        }

        /** @return the key store password */
        public @Nullable String getKeyStorePassword() {
            return keyStorePassword;
        }

        /** @param keyStorePassword the key store password */
        public void setKeyStorePassword(@Nullable String keyStorePassword) {
            this.keyStorePassword = keyStorePassword;
        }

        /** @return the key alias */
        public @Nullable String getKeyAlias() {
            return keyAlias;
        }

        /** @param keyAlias the key alias */
        public void setKeyAlias(@Nullable String keyAlias) {
            this.keyAlias = keyAlias;
        }

        /** @return the key password */
        public @Nullable String getKeyPassword() {
            return keyPassword;
        }

        /** @param keyPassword the key password */
        public void setKeyPassword(@Nullable String keyPassword) {
            this.keyPassword = keyPassword;
        }

        /** @return the refresh token */
        public @Nullable String getRefreshToken() {
            return refreshToken;
        }

        /** @param refreshToken the refresh token */
        public void setRefreshToken(@Nullable String refreshToken) {
            this.refreshToken = refreshToken;
        }

        /** @return the access token */
        public @Nullable String getAccessToken() {
            return accessToken;
        }

        /** @param accessToken the access token */
        public void setAccessToken(@Nullable String accessToken) {
            this.accessToken = accessToken;
        }

        @Override
        public String toString() {
            return "Credentials[kind=" + kind + ", secrets=<redacted>]";
        }
    }

    /** The JDBC stores on the application's {@code DataSource}. */
    public static class Jdbc {
        /** Whether to build the JDBC stores when the application has a DataSource. */
        private boolean enabled = true;

        /** The schema of the per-object marketing tables. */
        private String schema = "salesforce";

        /** Whether to create or upgrade crmsync's tables at startup. */
        private boolean migrate = true;

        /** @return whether to build the JDBC stores */
        public boolean isEnabled() {
            return enabled;
        }

        /** @param enabled whether to build the JDBC stores */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /** @return the marketing tables' schema */
        public String getSchema() {
            return schema;
        }

        /** @param schema the marketing tables' schema */
        public void setSchema(String schema) {
            this.schema = schema;
        }

        /** @return whether to migrate at startup */
        public boolean isMigrate() {
            return migrate;
        }

        /** @param migrate whether to migrate at startup */
        public void setMigrate(boolean migrate) {
            this.migrate = migrate;
        }
    }

    /** The health indicator. */
    public static class Health {
        /** Down when a type has not completed for this many consecutive cycles. */
        private int maxCyclesWithoutCompletion = DEFAULT_MAX_CYCLES_WITHOUT_COMPLETION;

        /** @return the consecutive cycles without completion that make the health down */
        public int getMaxCyclesWithoutCompletion() {
            return maxCyclesWithoutCompletion;
        }

        /** @param maxCyclesWithoutCompletion the consecutive cycles without completion that make the health down */
        public void setMaxCyclesWithoutCompletion(int maxCyclesWithoutCompletion) {
            this.maxCyclesWithoutCompletion = maxCyclesWithoutCompletion;
        }
    }

    /**
     * The operator console: the {@code crmsync} Actuator endpoint and the page {@code /crmsync/console.html}.
     * Roles are Spring Security role names without the {@code ROLE_} prefix.
     */
    public static class Console {
        /** The default of {@code crmsync.console.viewer-role}. */
        public static final String DEFAULT_VIEWER_ROLE = "CRMSYNC_VIEWER";
        /** The default of {@code crmsync.console.operator-role}. */
        public static final String DEFAULT_OPERATOR_ROLE = "CRMSYNC_OPERATOR";

        /** Whether the operator console's endpoint (and its security chain) is configured, in a web application. */
        private boolean enabled = true;

        /** The role that may read the console (status, parked failures, conflicts without their values). */
        private String viewerRole = DEFAULT_VIEWER_ROLE;

        /** The role that may also act (re-drive, resolve, push now) and see conflict values. */
        private String operatorRole = DEFAULT_OPERATOR_ROLE;

        /**
         * Whether the starter secures the console's paths with its own Spring Security filter chain (false: the
         * application's chains do).
         */
        private boolean security = true;

        /** @return whether the console is configured */
        public boolean isEnabled() {
            return enabled;
        }

        /** @param enabled whether the console is configured */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /** @return the monitoring role */
        public String getViewerRole() {
            return viewerRole;
        }

        /** @param viewerRole the monitoring role */
        public void setViewerRole(String viewerRole) {
            this.viewerRole = viewerRole;
        }

        /** @return the operator role */
        public String getOperatorRole() {
            return operatorRole;
        }

        /** @param operatorRole the operator role */
        public void setOperatorRole(String operatorRole) {
            this.operatorRole = operatorRole;
        }

        /** @return whether the starter secures the console's paths */
        public boolean isSecurity() {
            return security;
        }

        /** @param security whether the starter secures the console's paths */
        public void setSecurity(boolean security) {
            this.security = security;
        }
    }
}

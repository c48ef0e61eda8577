/**
 * Spring Boot auto-configuration for crmsync: {@link dev.crmsync.spring.boot.CrmsyncProperties} ({@code crmsync.*}),
 * the engine, the Salesforce source and the JDBC stores as replaceable beans, the scheduler started and stopped
 * with the application context, {@code SyncMetrics} when Micrometer is present and an Actuator health indicator.
 */
@NullMarked
package dev.crmsync.spring.boot;

import org.jspecify.annotations.NullMarked;

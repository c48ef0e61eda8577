/**
 * Spring Boot auto-configuration for crmsync: {@link dev.crmsync.spring.boot.CrmsyncProperties} ({@code crmsync.*}),
 * the engine, the Salesforce source and the JDBC stores as replaceable beans, the scheduler started and stopped
 * with the application context, {@code SyncMetrics} when Micrometer is present, an Actuator health indicator, and
 * the operator console ({@link dev.crmsync.spring.boot.CrmsyncConsoleEndpoint}, the page
 * {@code /crmsync/console.html} and its security chain: {@link dev.crmsync.spring.boot.CrmsyncConsoleAutoConfiguration}).
 */
@NullMarked
package dev.crmsync.spring.boot;

import org.jspecify.annotations.NullMarked;

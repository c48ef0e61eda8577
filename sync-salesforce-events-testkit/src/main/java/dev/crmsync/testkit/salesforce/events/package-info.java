/**
 * {@link dev.crmsync.testkit.salesforce.events.FakePubSubServer}: a fake of Salesforce's Pub/Sub API for
 * Change Data Capture, hooked to a {@code FakeSalesforceServer}.
 */
@NullMarked
package dev.crmsync.testkit.salesforce.events;

import org.jspecify.annotations.NullMarked;

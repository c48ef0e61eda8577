/**
 * Salesforce Change Data Capture events: {@link dev.crmsync.salesforce.events.ChangeEvent}, decoded from the
 * Avro payload of a Pub/Sub API event by {@link dev.crmsync.salesforce.events.ChangeEventDecoder}, and the
 * {@link dev.crmsync.salesforce.events.ReplayId} that marks a position in an event stream.
 */
@NullMarked
package dev.crmsync.salesforce.events;

import org.jspecify.annotations.NullMarked;

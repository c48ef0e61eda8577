/** Internals of the change-event module: bitmap expansion and the Avro value conversion. Not exported. */
@NullMarked
package dev.crmsync.salesforce.events.internal;

import org.jspecify.annotations.NullMarked;

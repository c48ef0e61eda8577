/** Implementation of the fake Pub/Sub server: CDC schemas and payloads. Not API. */
@NullMarked
package dev.crmsync.testkit.salesforce.events.internal;

import org.jspecify.annotations.NullMarked;

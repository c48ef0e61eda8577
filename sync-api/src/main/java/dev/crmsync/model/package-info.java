/**
 * The data model shared by every crmsync module: object types, CRM ids, typed field values,
 * records and deletions, the small unchecked exception tree, and {@link dev.crmsync.model.Sleeper},
 * the one injectable way to wait.
 * <p>Every value type here is immutable and validated at construction; none depends on anything
 * but the JDK, so an adapter written against {@code sync-api} pulls in nothing else.
 */
@NullMarked
package dev.crmsync.model;

import org.jspecify.annotations.NullMarked;

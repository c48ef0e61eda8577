/**
 * The data model shared by every crmsync module: object types, CRM ids, typed field values,
 * records, and the small unchecked exception tree.
 *
 * <p>Every type here is immutable and validated at construction; none depends on anything
 * but the JDK, so a store adapter written against {@code sync-store-api} pulls in nothing else.
 */
package dev.crmsync.model;

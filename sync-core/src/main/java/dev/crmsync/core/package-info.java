/**
 * The sync engine and the SPIs it is built from: {@link dev.crmsync.core.CrmSource} (what the
 * engine needs from a CRM) and {@link dev.crmsync.core.ConflictPolicy} (who wins a field changed on
 * both sides), plus the values they exchange.
 */
package dev.crmsync.core;

/**
 * The CRM side of the SPI: what the engine needs from a CRM. A CRM adapter implements
 * {@link dev.crmsync.crm.CrmSource} (describe, change streams in (stamp, id) order from a
 * {@link dev.crmsync.crm.Cursor}, deletions, fetch by id, batched writes with per-record
 * {@link dev.crmsync.crm.CrmWriteResult}s) and depends on {@code sync-api} alone, never on the
 * engine. The contract kit every source passes is {@code CrmSourceContract} in {@code sync-testkit}.
 */
@NullMarked
package dev.crmsync.crm;

import org.jspecify.annotations.NullMarked;

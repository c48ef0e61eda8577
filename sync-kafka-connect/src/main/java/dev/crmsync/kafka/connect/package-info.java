/**
 * crmsync on Kafka Connect, for deployments that outgrow one machine (many orgs, work spread over workers,
 * offsets kept in Kafka).
 *
 * <ul>
 *   <li>{@link dev.crmsync.kafka.connect.CrmChangesSourceConnector}: reads each configured org's CRM changes
 *       through a {@link dev.crmsync.crm.CrmSource} (built by a {@link dev.crmsync.kafka.connect.CrmSourceFactory}),
 *       one page a poll, into a topic per org and object type; the source offset is the engine's cursor.</li>
 *   <li>{@link dev.crmsync.kafka.connect.StoreSinkConnector}: writes those records to a
 *       {@link dev.crmsync.store.MarketingStore} (built by a {@link dev.crmsync.kafka.connect.MarketingStoreFactory})
 *       by idempotent upserts, flagging records the CRM deleted.</li>
 * </ul>
 *
 * <p>One-way types only (Account, Opportunity, User, Task, Event, custom objects, …); the merge sink for the
 * two-way types comes later.
 */
@NullMarked
package dev.crmsync.kafka.connect;

import org.jspecify.annotations.NullMarked;

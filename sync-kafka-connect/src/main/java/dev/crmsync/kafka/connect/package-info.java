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
 *   <li>{@link dev.crmsync.kafka.connect.MarketingChangesSourceConnector}: reads each org's marketing store's own
 *       change feed (two-way types) into {@code <prefix>.<org>.<type>.marketing}; the offset is the feed cursor.</li>
 *   <li>{@link dev.crmsync.kafka.connect.MergeSinkConnector}: merges both topics of a two-way type by the engine's
 *       three-way merge and conflict policy, bases in the shared {@link dev.crmsync.store.SyncStateStore}, one
 *       fenced task per partition number.</li>
 * </ul>
 *
 * <p>The store sink takes the one-way types (Account, Opportunity, User, Task, Event, custom objects, …), the
 * merge sink the two-way ones (Lead, Contact, Campaign, CampaignMember).
 */
@NullMarked
package dev.crmsync.kafka.connect;

import org.jspecify.annotations.NullMarked;

/**
 * The contract test kits of the SPIs, abstract JUnit 5 classes an implementation's test extends
 * with a factory: {@link dev.crmsync.testkit.contract.CrmSourceContract} (with a
 * {@link dev.crmsync.testkit.contract.CrmAdmin} that edits the CRM behind the source the way a
 * CRM user would), {@link dev.crmsync.testkit.contract.MarketingStoreContract} and
 * {@link dev.crmsync.testkit.contract.SyncStateStoreContract}. Each test's name states the rule it
 * checks; a test of an ability the implementation does not claim is skipped with a message.
 */
@NullMarked
package dev.crmsync.testkit.contract;

import org.jspecify.annotations.NullMarked;

/**
 * The contract test kit of the {@link dev.crmsync.core.CrmSource} SPI (shipped in sync-core's
 * test-jar): extend {@link dev.crmsync.core.contract.CrmSourceContract} with a factory for the
 * source under test and a {@link dev.crmsync.core.contract.CrmAdmin} that edits the CRM behind it
 * the way a CRM user would.
 */
package dev.crmsync.core.contract;
